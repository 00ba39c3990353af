// The Curator peer's queue-family ops (pqueue.*): DistributedQueue, DistributedPriorityQueue,
// DistributedDelayQueue and DistributedIdQueue of UTF-8 strings, each with or without a lock path,
// as producer only or with a consumer that records what it received (and can be told to hold an
// item, to be killed mid-item). Written for zkrecipes; Curator's public API only.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.queue.DistributedDelayQueue;
import org.apache.curator.framework.recipes.queue.DistributedIdQueue;
import org.apache.curator.framework.recipes.queue.DistributedPriorityQueue;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.state.ConnectionState;

final class PeerQueues {
    private PeerQueues() {
    }

    /** One started queue of the peer: the recipe, what its consumer received, its hold gate. */
    private static final class Entry {
        final Closeable queue;
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<String> started = new LinkedBlockingQueue<>();
        final Semaphore gate = new Semaphore(0);
        final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
        volatile boolean hold;

        Entry(Closeable queue) {
            this.queue = queue;
        }
    }

    private static final QueueSerializer<String> UTF8 = new QueueSerializer<>() {
        @Override
        public byte[] serialize(String item) {
            return item.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    static boolean dispatch(CuratorFramework client, Map<String, Object> recipes, String op,
                            JsonNode r, ObjectNode out) throws Exception {
        if (!op.startsWith("pqueue.")) {
            return false;
        }
        String id = r.path("id").asText();
        switch (op) {
            case "pqueue.start" -> start(client, recipes, id, r);
            case "pqueue.put" -> put(entry(recipes, id), r);
            case "pqueue.take" -> {
                Entry entry = entry(recipes, id);
                String text = entry.received.poll(r.path("timeout_ms").asLong(), TimeUnit.MILLISECONDS);
                out.put("text", text);
                out.put("at_ms", text == null ? null : entry.receivedAt.get(text));
            }
            case "pqueue.started" -> out.put("text", entry(recipes, id).started.poll(
                r.path("timeout_ms").asLong(), TimeUnit.MILLISECONDS));
            case "pqueue.go" -> {
                Entry entry = entry(recipes, id);
                entry.hold = false;
                entry.gate.release(1_000_000);
            }
            case "pqueue.remove" -> out.put("removed",
                ((DistributedIdQueue<?>) entry(recipes, id).queue).remove(r.path("item_id").asText()));
            case "pqueue.close" -> {
                Entry entry = (Entry) recipes.remove("pqueue-entry:" + id);
                recipes.remove("pqueue:" + id);
                entry.hold = false;
                entry.gate.release(1_000_000);
                entry.queue.close();
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static Entry entry(Map<String, Object> recipes, String id) {
        Entry entry = (Entry) recipes.get("pqueue-entry:" + id);
        if (entry == null) {
            throw new IllegalStateException("no queue " + id);
        }
        return entry;
    }

    private static void start(CuratorFramework client, Map<String, Object> recipes, String id, JsonNode r)
            throws Exception {
        Entry[] self = new Entry[1];
        QueueConsumer<String> consumer = new QueueConsumer<>() {
            @Override
            public void consumeMessage(String message) throws Exception {
                Entry entry = self[0];
                entry.started.add(message);
                if (entry.hold) {
                    entry.gate.acquire();
                }
                entry.receivedAt.put(message, System.currentTimeMillis());
                entry.received.add(message);
            }

            @Override
            public void stateChanged(CuratorFramework c, ConnectionState state) { }
        };
        boolean consume = r.path("consume").asBoolean(true);
        QueueBuilder<String> builder = QueueBuilder.builder(client, consume ? consumer : null, UTF8,
            r.path("path").asText()).putInBackground(false);
        if (r.hasNonNull("lock_path")) {
            builder = builder.lockPath(r.path("lock_path").asText());
        }
        Closeable queue = switch (r.path("kind").asText("fifo")) {
            case "priority" -> builder.buildPriorityQueue(0);
            case "delay" -> builder.buildDelayQueue();
            case "id" -> builder.buildIdQueue();
            default -> builder.buildQueue();
        };
        Entry entry = new Entry(queue);
        entry.hold = r.path("hold").asBoolean(false);
        self[0] = entry;
        recipes.put("pqueue-entry:" + id, entry);
        recipes.put("pqueue:" + id, queue);  // Closeable: closed on disconnect
        if (queue instanceof DistributedQueue<?> q) {
            q.start();
        } else if (queue instanceof DistributedPriorityQueue<?> q) {
            q.start();
        } else if (queue instanceof DistributedDelayQueue<?> q) {
            q.start();
        } else if (queue instanceof DistributedIdQueue<?> q) {
            q.start();
        }
    }

    @SuppressWarnings("unchecked")
    private static void put(Entry entry, JsonNode r) throws Exception {
        String text = r.path("text").asText();
        if (entry.queue instanceof DistributedPriorityQueue<?> q) {
            ((DistributedPriorityQueue<String>) q).put(text, r.path("priority").asInt());
        } else if (entry.queue instanceof DistributedDelayQueue<?> q) {
            ((DistributedDelayQueue<String>) q).put(text, r.path("delay_until").asLong());
        } else if (entry.queue instanceof DistributedIdQueue<?> q) {
            ((DistributedIdQueue<String>) q).put(text, r.path("item_id").asText());
        } else {
            ((DistributedQueue<String>) entry.queue).put(text);
        }
    }
}
