// The Curator peer's less common recipes (barriers, discovery, queues, group membership): see
// CuratorPeer.java for the protocol. Written for zkrecipes; it uses Curator's public API only.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.barriers.DistributedBarrier;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.framework.recipes.nodes.GroupMember;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.queue.SimpleDistributedQueue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

final class PeerExtras {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CuratorFramework client;
    private final Map<String, Object> recipes;

    PeerExtras(CuratorFramework client, Map<String, Object> recipes) {
        this.client = client;
        this.recipes = recipes;
    }

    private CuratorFramework client() {
        return client;
    }

    /** Runs {@code op} if it is one of these recipes' ops; false if it is not. */
    boolean dispatch(String op, JsonNode r, ObjectNode out) throws Exception {
        switch (op) {
                case "barrier.set" -> new DistributedBarrier(client(), r.path("path").asText()).setBarrier();
                case "barrier.remove" -> new DistributedBarrier(client(), r.path("path").asText()).removeBarrier();
                case "barrier.wait" -> out.put("passed", new DistributedBarrier(client(), r.path("path").asText())
                    .waitOnBarrier(r.path("timeout_ms").asLong(), TimeUnit.MILLISECONDS));
                case "dbarrier.enter" -> {
                    DistributedDoubleBarrier barrier = (DistributedDoubleBarrier) recipes.computeIfAbsent(
                        r.path("id").asText(), k -> new DistributedDoubleBarrier(client(), r.path("path").asText(),
                            r.path("member_qty").asInt()));
                    out.put("done", barrier.enter(r.path("timeout_ms").asLong(), TimeUnit.MILLISECONDS));
                }
                case "dbarrier.leave" -> out.put("done", ((DistributedDoubleBarrier) recipes.get(r.path("id").asText()))
                    .leave(r.path("timeout_ms").asLong(), TimeUnit.MILLISECONDS));
                case "discovery.register" -> discovery(r).registerService(instance(r));
                case "discovery.unregister" -> discovery(r).unregisterService(instance(r));
                case "discovery.query" -> {
                    ArrayNode list = out.putArray("instances");
                    for (ServiceInstance<Map> found : discovery(r).queryForInstances(r.path("name").asText())) {
                        ObjectNode item = list.addObject().put("id", found.getId()).put("name", found.getName())
                            .put("address", found.getAddress()).put("service_type", found.getServiceType().name());
                        if (found.getPort() != null) {
                            item.put("port", found.getPort().intValue());
                        }
                        item.set("payload", JSON.valueToTree(found.getPayload()));
                    }
                }
                case "squeue.offer" -> out.put("ok", new SimpleDistributedQueue(client(), r.path("path").asText())
                    .offer(HexFormat.of().parseHex(r.path("hex").asText())));
                case "squeue.take" -> {
                    byte[] item = new SimpleDistributedQueue(client(), r.path("path").asText())
                        .poll(r.path("timeout_ms").asLong(), TimeUnit.MILLISECONDS);
                    out.put("hex", item == null ? null : HexFormat.of().formatHex(item));
                }
                case "dqueue.put" -> {
                    DistributedQueue<String> queue = queue(r);
                    queue.put(r.path("text").asText());
                    out.put("flushed", queue.flushPuts(10, TimeUnit.SECONDS));  // Curator puts in the background
                }
                case "dqueue.take" -> {
                    queue(r);
                    @SuppressWarnings("unchecked")
                    String item = ((LinkedBlockingQueue<String>) recipes.get("dqueue-items:" + r.path("id").asText()))
                        .poll(r.path("timeout_ms").asLong(), TimeUnit.MILLISECONDS);
                    out.put("text", item);
                }
                case "group.start" -> {
                    GroupMember member = new GroupMember(client(), r.path("path").asText(), r.path("member_id").asText(),
                        HexFormat.of().parseHex(r.path("hex").asText("")));
                    recipes.put("group:" + r.path("id").asText(), member);
                    member.start();
                }
                case "group.members" -> {
                    ObjectNode members = out.putObject("members");
                    GroupMember member = (GroupMember) recipes.get("group:" + r.path("id").asText());
                    member.getCurrentMembers().forEach((k, v) -> members.put(k, HexFormat.of().formatHex(v)));
                }
                case "group.close" -> ((GroupMember) recipes.remove("group:" + r.path("id").asText())).close();
            case "selector.start" -> {
                String id = r.path("id").asText();
                Semaphore letGo = new Semaphore(0);
                AtomicInteger terms = new AtomicInteger();
                LeaderSelector selector = new LeaderSelector(client(), r.path("path").asText(),
                    new LeaderSelectorListenerAdapter() {
                        @Override
                        public void takeLeadership(CuratorFramework c) throws Exception {
                            terms.incrementAndGet();
                            letGo.acquire();  // lead until the test lets go
                        }
                    });
                selector.setId(r.path("participant").asText(id));
                recipes.put("selector:" + id, selector);
                recipes.put("selector-go:" + id, letGo);
                recipes.put("selector-terms:" + id, terms);
                selector.start();
            }
            case "selector.state" -> {
                String id = r.path("id").asText();
                LeaderSelector selector = (LeaderSelector) recipes.get("selector:" + id);
                out.put("has_leadership", selector.hasLeadership());
                out.put("terms", ((AtomicInteger) recipes.get("selector-terms:" + id)).get());
                out.put("leader", selector.getLeader().getId());
            }
            case "selector.let_go" -> ((Semaphore) recipes.get("selector-go:" + r.path("id").asText())).release();
            default -> {
                return PeerPlugins.dispatch(client, recipes, op, r, out);
            }
        }
        return true;
    }

    /** Closes a recipe made here (the client's close removes its nodes anyway). */
    static void close(Object recipe) {
        try {
            if (recipe instanceof GroupMember member) {
                member.close();
            } else if (recipe instanceof DistributedQueue<?> queue) {
                queue.close();
            } else if (recipe instanceof LeaderSelector selector) {
                selector.close();
            } else if (recipe instanceof ServiceDiscovery<?> discovery) {
                discovery.close();
            } else if (recipe instanceof java.io.Closeable closeable) {
                closeable.close();
            }
        } catch (Exception ignored) {
            // best effort: the client is closed next
        }
    }

    @SuppressWarnings("unchecked")
    private DistributedQueue<String> queue(JsonNode r) throws Exception {
        synchronized (recipes) {
            return makeQueue(r);
        }
    }

    @SuppressWarnings("unchecked")
    private DistributedQueue<String> makeQueue(JsonNode r) throws Exception {
        String id = r.path("id").asText();
        Object found = recipes.get("dqueue:" + id);
        if (found != null) {
            return (DistributedQueue<String>) found;
        }
        LinkedBlockingQueue<String> items = new LinkedBlockingQueue<>();
        QueueConsumer<String> consumer = new QueueConsumer<>() {
            @Override
            public void consumeMessage(String message) {
                items.add(message);
            }

            @Override
            public void stateChanged(CuratorFramework c, ConnectionState state) { }
        };
        QueueSerializer<String> serializer = new QueueSerializer<>() {
            @Override
            public byte[] serialize(String item) {
                return item.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String deserialize(byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        };
        boolean consume = r.path("consume").asBoolean(true);
        DistributedQueue<String> queue = QueueBuilder.builder(client(), consume ? consumer : null, serializer,
            r.path("path").asText()).buildQueue();
        queue.start();
        recipes.put("dqueue-items:" + id, items);
        recipes.put("dqueue:" + id, queue);
        return queue;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private ServiceDiscovery<Map> discovery(JsonNode r) throws Exception {
        String base = r.path("base").asText();
        Object found = recipes.get("discovery:" + base);
        if (found == null) {
            ServiceDiscovery<Map> made = ServiceDiscoveryBuilder.builder(Map.class).client(client()).basePath(base)
                .serializer(new JsonInstanceSerializer<>(Map.class)).build();
            made.start();
            recipes.put("discovery:" + base, made);
            found = made;
        }
        return (ServiceDiscovery<Map>) found;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ServiceInstance<Map> instance(JsonNode r) throws Exception {
        Map payload = JSON.convertValue(r.path("payload"), java.util.LinkedHashMap.class);
        var builder = ServiceInstance.<Map>builder().name(r.path("name").asText()).id(r.path("id").asText())
            .address(r.path("address").asText("127.0.0.1")).payload(payload);
        if (r.has("port")) {
            builder.port(r.path("port").asInt());
        }
        return builder.build();
    }
}
