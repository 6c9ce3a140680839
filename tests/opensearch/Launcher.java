/*
 * Start one OpenSearch node for chaja's tests: tests/opensearch/cluster.py runs three of these.
 * Tests only, not for production: no security, no bootstrap checks, a tiny heap.
 *
 * Arguments: NAME HTTP_PORT TRANSPORT_PORT HOME SEED_TRANSPORT_PORTS(comma-separated) MANAGER_NAMES(comma-separated)
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.MockNode;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

public final class Launcher {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: Launcher NAME HTTP_PORT TRANSPORT_PORT HOME SEED_PORTS MANAGER_NAMES");
            System.exit(2);
        }
        String name = args[0];
        Path home = Path.of(args[3]).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        StringBuilder seeds = new StringBuilder();
        for (String port : args[4].split(",")) {
            seeds.append(seeds.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
        }
        Settings settings = Settings.builder()
            .put("cluster.name", "chaja-test")
            .put("node.name", name)
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", args[1])
            .put("transport.port", args[2])
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .putList("discovery.seed_hosts", seeds.toString().split(","))
            .putList("cluster.initial_cluster_manager_nodes", args[5].split(","))
            // The test machine's disk may be fuller than the default watermarks allow.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // Two cores for three nodes and the tests: fewer threads each.
            .put("node.processors", 1)
            // A lost node is noticed in seconds, not a minute, so the failure tests stay short.
            .put("cluster.fault_detection.follower_check.interval", "500ms")
            .put("cluster.fault_detection.follower_check.retry_count", 2)
            .put("cluster.fault_detection.leader_check.interval", "500ms")
            .put("cluster.fault_detection.leader_check.retry_count", 2)
            .build();
        Node node = new MockNode(settings, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                System.err.println("closing " + name + ": " + e);
            }
            stopped.countDown();
        }));
        node.start();
        System.out.println("started " + name + " http 127.0.0.1:" + args[1]);
        System.out.flush();
        stopped.await();
    }
}
