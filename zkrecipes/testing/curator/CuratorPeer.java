// The Curator side of zkrecipes' interop tests: one JVM, driven by line-delimited JSON.
//
// Protocol (one JSON object per line each way):
//   request  {"seq": <int>, "op": "<name>", ...arguments}
//   reply    {"seq": <int>, "ok": true, ...results}  or  {"seq": <int>, "ok": false, "error": ..., "type": ...}
// The first line written is {"seq": 0, "ok": true, "ready": true} once the JVM is up.
// Replies may come out of order: every request runs on a worker. Lock-like recipes are owned
// by the thread that acquired them in Curator, so every request naming a lock "id" runs on
// that id's own single thread (in order); everything else runs on a shared pool.
// Written for zkrecipes; it uses Curator's public API only.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.atomic.PromotedToLock;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.recipes.locks.InterProcessLock;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.locks.Revoker;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.SharedValue;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.retry.RetryNTimes;

public final class CuratorPeer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    private volatile CuratorFramework client;
    private final Map<String, Object> recipes = new ConcurrentHashMap<>();
    private final Map<String, ExecutorService> owners = new ConcurrentHashMap<>();
    private final Map<String, List<String>> latchEvents = new ConcurrentHashMap<>();
    private final Map<String, List<Lease>> leases = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "peer-pool");
        t.setDaemon(true);
        return t;
    });

    public static void main(String[] args) throws Exception {
        new CuratorPeer().serve();
    }

    private void serve() throws Exception {
        reply(JSON.createObjectNode().put("seq", 0).put("ok", true).put("ready", true));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode request;
            try {
                request = JSON.readTree(line);
            } catch (Exception e) {
                reply(failure(-1, e));
                continue;
            }
            String op = request.path("op").asText();
            if (op.equals("quit")) {
                break;
            }
            String id = request.path("id").asText("");
            ExecutorService runner = pool;
            if (!id.isEmpty() && (op.startsWith("mutex.") || op.startsWith("rw.") || op.startsWith("semmutex."))) {
                runner = owners.computeIfAbsent(id, k -> Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "peer-owner-" + k);
                    t.setDaemon(true);
                    return t;
                }));
            }
            runner.submit(() -> handle(request));
        }
        disconnect();
        OUT.flush();
        System.exit(0);
    }

    private void handle(JsonNode request) {
        long seq = request.path("seq").asLong(-1);
        try {
            ObjectNode result = dispatch(request.path("op").asText(), request);
            result.put("seq", seq).put("ok", true);
            reply(result);
        } catch (Throwable e) {
            reply(failure(seq, e));
        }
    }

    private static synchronized void reply(ObjectNode message) {
        OUT.println(message.toString());
        OUT.flush();
    }

    private static ObjectNode failure(long seq, Throwable e) {
        return JSON.createObjectNode().put("seq", seq).put("ok", false)
            .put("type", e.getClass().getName()).put("error", String.valueOf(e.getMessage()));
    }

    private ObjectNode dispatch(String op, JsonNode r) throws Exception {
        ObjectNode out = JSON.createObjectNode();
        switch (op) {
            case "ping" -> { }
            case "connect" -> out.put("local_address", connect(r.path("connect").asText(), r.path("session_ms").asInt(4000)));
            case "disconnect" -> disconnect();
            case "session" -> {
                org.apache.zookeeper.ZooKeeper zk = client().getZookeeperClient().getZooKeeper();
                out.put("session_id", zk.getSessionId());
                out.put("password_hex", HexFormat.of().formatHex(zk.getSessionPasswd()));
            }
            case "mutex.acquire" -> out.put("acquired", acquire(lock(r, "mutex"), r));
            case "semmutex.acquire" -> out.put("acquired", acquire(lock(r, "semmutex"), r));
            case "rw.acquire" -> out.put("acquired", acquire(lock(r, "rw"), r));
            case "mutex.release", "semmutex.release", "rw.release" -> lock(r, op.substring(0, op.indexOf('.'))).release();
            case "mutex.revocable" -> {
                InterProcessMutex mutex = (InterProcessMutex) lock(r, "mutex");
                List<String> events = new ArrayList<>();
                latchEvents.put("revoke:" + r.path("id").asText(), events);
                mutex.makeRevocable(m -> {
                    synchronized (events) {
                        events.add("revocationRequested");
                    }
                });
            }
            case "mutex.revocations" -> {
                List<String> events = latchEvents.get("revoke:" + r.path("id").asText());
                synchronized (events) {
                    out.put("count", events.size());
                }
            }
            case "revoker.revoke" -> Revoker.attemptRevoke(client(), r.path("path").asText());
            case "mutex.held" -> out.put("held", ((InterProcessMutex) lock(r, "mutex")).isAcquiredInThisProcess());
            case "mutex.cycle" -> out.set("intervals", cycle(r));
            case "semaphore.acquire" -> out.put("acquired", semaphoreAcquire(r));
            case "semaphore.release" -> semaphoreRelease(r);
            case "latch.start" -> latchStart(r);
            case "latch.await" -> out.put("leader", latch(r).await(r.path("timeout_ms").asLong(), TimeUnit.MILLISECONDS));
            case "latch.state" -> latchState(r, out);
            case "latch.close" -> {
                LeaderLatch latch = (LeaderLatch) recipes.remove(r.path("id").asText());
                latch.close(LeaderLatch.CloseMode.valueOf(r.path("mode").asText("SILENT")));
            }
            case "count.add" -> out.put("count", countAdd(r));
            case "count.get" -> out.put("count", withCount(r, SharedCount::getCount));
            case "count.set" -> withCount(r, c -> { c.setCount(r.path("value").asInt()); return 0; });
            case "value.get" -> out.put("hex", HexFormat.of().formatHex(withValue(r, SharedValue::getValue)));
            case "value.set" -> withValue(r, v -> { v.setValue(HexFormat.of().parseHex(r.path("hex").asText())); return null; });
            case "along.add" -> along(r, out);
            case "along.get" -> out.put("value", atomicLong(r).get().postValue());
            case "along.set" -> atomicLong(r).forceSet(r.path("value").asLong());
            default -> {
                if (!new PeerExtras(client(), recipes).dispatch(op, r, out)) {
                    throw new IllegalArgumentException("unknown op " + op);
                }
            }
        }
        return out;
    }

    private String connect(String connect, int sessionMs) throws Exception {
        disconnect();
        CuratorFramework fresh = CuratorFrameworkFactory.builder().connectString(connect)
            .sessionTimeoutMs(sessionMs).connectionTimeoutMs(sessionMs)
            .retryPolicy(new RetryNTimes(20, 100)).build();
        fresh.start();
        if (!fresh.blockUntilConnected(20, TimeUnit.SECONDS)) {
            fresh.close();
            throw new IllegalStateException("Curator did not connect to " + connect);
        }
        client = fresh;
        return CuratorFrameworkFactory.getLocalAddress() == null ? ""
            : new String(CuratorFrameworkFactory.getLocalAddress(), StandardCharsets.UTF_8);
    }


    private void disconnect() {
        for (Object recipe : recipes.values()) {
            PeerExtras.close(recipe);
            if (recipe instanceof LeaderLatch latch) {
                try {
                    latch.close();
                } catch (Exception ignored) {
                    // closing the client below removes its nodes anyway
                }
            }
        }
        recipes.clear();
        leases.clear();
        latchEvents.clear();
        owners.values().forEach(ExecutorService::shutdownNow);
        owners.clear();
        CuratorFramework old = client;
        client = null;
        if (old != null) {
            old.close();
        }
    }

    private CuratorFramework client() {
        CuratorFramework c = client;
        if (c == null) {
            throw new IllegalStateException("not connected (send connect first)");
        }
        return c;
    }

    private InterProcessLock lock(JsonNode r, String kind) {
        String id = r.path("id").asText();
        String path = r.path("path").asText();
        if (kind.equals("rw")) {
            InterProcessReadWriteLock rw = (InterProcessReadWriteLock) recipes.computeIfAbsent(
                id, k -> new InterProcessReadWriteLock(client(), path));
            return r.path("mode").asText("write").equals("read") ? rw.readLock() : rw.writeLock();
        }
        return (InterProcessLock) recipes.computeIfAbsent(id, k -> kind.equals("mutex")
            ? new InterProcessMutex(client(), path) : new InterProcessSemaphoreMutex(client(), path));
    }

    private static boolean acquire(InterProcessLock lock, JsonNode r) throws Exception {
        long timeout = r.path("timeout_ms").asLong(-1);
        if (timeout < 0) {
            lock.acquire();
            return true;
        }
        return lock.acquire(timeout, TimeUnit.MILLISECONDS);
    }

    private ArrayNode cycle(JsonNode r) throws Exception {
        InterProcessMutex mutex = new InterProcessMutex(client(), r.path("path").asText());
        ArrayNode intervals = JSON.createArrayNode();
        long holdMs = r.path("hold_ms").asLong(1);
        for (int i = 0; i < r.path("n").asInt(); i++) {
            if (!mutex.acquire(r.path("timeout_ms").asLong(30000), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("cycle " + i + ": not acquired in time");
            }
            long start = micros();
            Thread.sleep(holdMs);  // the critical section being measured, not a synchronisation
            long end = micros();
            mutex.release();
            intervals.add(JSON.createArrayNode().add(start).add(end));
        }
        return intervals;
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private boolean semaphoreAcquire(JsonNode r) throws Exception {
        String id = r.path("id").asText();
        InterProcessSemaphoreV2 semaphore = (InterProcessSemaphoreV2) recipes.computeIfAbsent(
            id, k -> new InterProcessSemaphoreV2(client(), r.path("path").asText(), r.path("max_leases").asInt(1)));
        Lease lease = semaphore.acquire(r.path("timeout_ms").asLong(10000), TimeUnit.MILLISECONDS);
        if (lease == null) {
            return false;
        }
        leases.computeIfAbsent(id, k -> new ArrayList<>()).add(lease);
        return true;
    }

    private void semaphoreRelease(JsonNode r) throws Exception {
        List<Lease> held = leases.get(r.path("id").asText());
        if (held == null || held.isEmpty()) {
            throw new IllegalStateException("no lease held by " + r.path("id").asText());
        }
        held.remove(held.size() - 1).close();
    }

    private void latchStart(JsonNode r) throws Exception {
        String id = r.path("id").asText();
        LeaderLatch latch = new LeaderLatch(client(), r.path("path").asText(), r.path("participant").asText(id));
        List<String> events = new ArrayList<>();
        latchEvents.put(id, events);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                synchronized (events) {
                    events.add("isLeader");
                }
            }

            @Override
            public void notLeader() {
                synchronized (events) {
                    events.add("notLeader");
                }
            }
        });
        recipes.put(id, latch);
        latch.start();
    }

    private LeaderLatch latch(JsonNode r) {
        LeaderLatch latch = (LeaderLatch) recipes.get(r.path("id").asText());
        if (latch == null) {
            throw new IllegalStateException("no latch " + r.path("id").asText());
        }
        return latch;
    }

    private void latchState(JsonNode r, ObjectNode out) throws Exception {
        LeaderLatch latch = latch(r);
        out.put("has_leadership", latch.hasLeadership());
        out.put("leader", latch.getLeader().getId());
        ArrayNode participants = out.putArray("participants");
        for (Participant p : latch.getParticipants()) {
            participants.addObject().put("id", p.getId()).put("leader", p.isLeader());
        }
        List<String> events = latchEvents.get(r.path("id").asText());
        ArrayNode list = out.putArray("events");
        synchronized (events) {
            events.forEach(list::add);
        }
    }

    private interface CountBody<T> {
        T apply(SharedCount count) throws Exception;
    }

    private <T> T withCount(JsonNode r, CountBody<T> body) throws Exception {
        try (SharedCount count = new SharedCount(client(), r.path("path").asText(), r.path("seed").asInt(0))) {
            count.start();
            return body.apply(count);
        }
    }

    private int countAdd(JsonNode r) throws Exception {
        int delta = r.path("delta").asInt(1);
        int n = r.path("n").asInt(1);
        return withCount(r, count -> {
            for (int i = 0; i < n; i++) {
                while (true) {
                    VersionedValue<Integer> seen = count.getVersionedValue();
                    if (count.trySetCount(seen, seen.getValue() + delta)) {
                        break;
                    }
                }
            }
            return count.getCount();
        });
    }

    private interface ValueBody<T> {
        T apply(SharedValue value) throws Exception;
    }

    private <T> T withValue(JsonNode r, ValueBody<T> body) throws Exception {
        byte[] seed = HexFormat.of().parseHex(r.path("seed_hex").asText(""));
        try (SharedValue value = new SharedValue(client(), r.path("path").asText(), seed)) {
            value.start();
            return body.apply(value);
        }
    }

    private DistributedAtomicLong atomicLong(JsonNode r) {
        RetryNTimes optimistic = new RetryNTimes(r.path("tries").asInt(1000), 1);
        String lockPath = r.path("lock_path").asText("");
        if (lockPath.isEmpty()) {
            return new DistributedAtomicLong(client(), r.path("path").asText(), optimistic);
        }
        PromotedToLock promoted = PromotedToLock.builder().lockPath(lockPath)
            .retryPolicy(new RetryNTimes(1000, 1)).timeout(30, TimeUnit.SECONDS).build();
        return new DistributedAtomicLong(client(), r.path("path").asText(), optimistic, promoted);
    }

    private void along(JsonNode r, ObjectNode out) throws Exception {
        DistributedAtomicLong value = atomicLong(r);
        long delta = r.path("delta").asLong(1);
        int failures = 0;
        for (int i = 0; i < r.path("n").asInt(1); i++) {
            AtomicValue<Long> result;
            while (!(result = value.add(delta)).succeeded()) {
                failures++;
            }
        }
        out.put("value", value.get().postValue());
        out.put("failures", failures);
    }
}
