// The lock ops of zkrecipes' Curator peer (helper LOCKS): cycles timed inside the JVM, for the
// lock benchmarks (benchmarks/curator_locks.py). Written for zkrecipes; Curator's public API only.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;

final class PeerLocks {
    private PeerLocks() {
    }

    static boolean dispatch(CuratorFramework client, Map<String, Object> recipes, String op,
                            JsonNode r, ObjectNode out) throws Exception {
        switch (op) {
            case "plocks.semaphore_cycle" -> out.set("intervals", semaphoreCycle(client, r, out));
            default -> {
                return false;
            }
        }
        return true;
    }

    /** n times: take one lease of InterProcessSemaphoreV2(path, max_leases), hold it hold_ms
     *  (default 0), return it. "intervals": each cycle's [acquire start, return end]; "holds":
     *  each [acquired, returning] (epoch microseconds). */
    private static ArrayNode semaphoreCycle(CuratorFramework client, JsonNode r, ObjectNode out)
            throws Exception {
        InterProcessSemaphoreV2 semaphore = new InterProcessSemaphoreV2(client, r.path("path").asText(),
            r.path("max_leases").asInt(1));
        ArrayNode intervals = out.arrayNode();
        ArrayNode holds = out.putArray("holds");
        long holdMs = r.path("hold_ms").asLong(0);
        long timeoutMs = r.path("timeout_ms").asLong(30000);
        for (int i = 0; i < r.path("n").asInt(); i++) {
            long start = micros();
            Lease lease = semaphore.acquire(timeoutMs, TimeUnit.MILLISECONDS);
            if (lease == null) {
                throw new IllegalStateException("cycle " + i + ": no lease in time");
            }
            long acquired = micros();
            if (holdMs > 0) {
                Thread.sleep(holdMs);  // the critical section, not a synchronisation
            }
            long returning = micros();
            semaphore.returnLease(lease);
            intervals.add(out.arrayNode().add(start).add(micros()));
            holds.add(out.arrayNode().add(acquired).add(returning));
        }
        return intervals;
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
