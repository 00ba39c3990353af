// The Curator peer's cache ops (CuratorCache, ServiceCache, cached ServiceProvider, plain writes):
// a PeerPlugins plug-in, ops prefixed "pcache.". Written for zkrecipes; Curator's public API only.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceProvider;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.curator.x.discovery.details.ServiceCacheListener;
import org.apache.curator.x.discovery.strategies.RoundRobinStrategy;
import org.apache.zookeeper.CreateMode;

final class PeerCaches {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeerCaches() {
    }

    /** One recorded CuratorCache event, in the order the listener heard it. */
    private record Seen(String type, String path, String old, String data) {
    }

    /** A CuratorCache and what its listener heard. */
    private record Recorded(CuratorCache cache, List<Seen> events, AtomicInteger initialized)
            implements java.io.Closeable {
        @Override
        public void close() {
            cache.close();
        }
    }

    /** A ServiceCache and how often it said cacheChanged. */
    @SuppressWarnings("rawtypes")
    private record Cached(ServiceCache<Map> cache, AtomicInteger changes) implements java.io.Closeable {
        @Override
        public void close() throws java.io.IOException {
            cache.close();
        }
    }

    static boolean dispatch(CuratorFramework client, Map<String, Object> recipes, String op,
                            JsonNode r, ObjectNode out) throws Exception {
        String id = r.path("id").asText();
        switch (op) {
            case "pcache.create" -> client.create().orSetData().creatingParentContainersIfNeeded()
                .withMode(r.path("ephemeral").asBoolean(false) ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT)
                .forPath(r.path("path").asText(), hex(r));
            case "pcache.set" -> client.setData().forPath(r.path("path").asText(), hex(r));
            case "pcache.delete" -> client.delete().deletingChildrenIfNeeded().forPath(r.path("path").asText());
            case "pcache.ccache.start" -> {
                List<Seen> events = Collections.synchronizedList(new ArrayList<>());
                AtomicInteger initialized = new AtomicInteger();
                CuratorCache cache = CuratorCache.build(client, r.path("path").asText());
                cache.listenable().addListener(new CuratorCacheListener() {
                    @Override
                    public void event(Type type, ChildData oldData, ChildData data) {
                        ChildData node = data != null ? data : oldData;
                        events.add(new Seen(type.name(), node.getPath(), bytes(oldData), bytes(data)));
                    }

                    @Override
                    public void initialized() {
                        initialized.incrementAndGet();
                    }
                });
                recipes.put("pcache-cc:" + id, new Recorded(cache, events, initialized));
                cache.start();
            }
            case "pcache.ccache.events" -> {
                Recorded recorded = (Recorded) recipes.get("pcache-cc:" + id);
                out.put("initialized", recorded.initialized().get());
                ArrayNode list = out.putArray("events");
                synchronized (recorded.events()) {
                    for (Seen seen : recorded.events()) {
                        ObjectNode item = list.addObject().put("type", seen.type()).put("path", seen.path());
                        item.put("old", seen.old());
                        item.put("data", seen.data());
                    }
                }
            }
            case "pcache.ccache.close" -> ((Recorded) recipes.remove("pcache-cc:" + id)).close();
            case "pcache.scache.start" -> {
                AtomicInteger changes = new AtomicInteger();
                @SuppressWarnings("rawtypes")
                ServiceCache<Map> cache = discovery(client, recipes, r).serviceCacheBuilder()
                    .name(r.path("name").asText()).build();
                cache.addListener(new ServiceCacheListener() {
                    @Override
                    public void cacheChanged() {
                        changes.incrementAndGet();
                    }

                    @Override
                    public void stateChanged(CuratorFramework c, ConnectionState state) { }
                });
                recipes.put("pcache-sc:" + id, new Cached(cache, changes));
                cache.start();
            }
            case "pcache.scache.instances" -> {
                Cached cached = (Cached) recipes.get("pcache-sc:" + id);
                out.put("changes", cached.changes().get());
                ArrayNode list = out.putArray("instances");
                for (@SuppressWarnings("rawtypes") ServiceInstance<Map> found : cached.cache().getInstances()) {
                    ObjectNode item = list.addObject().put("id", found.getId()).put("name", found.getName())
                        .put("address", found.getAddress());
                    if (found.getPort() != null) {
                        item.put("port", found.getPort());
                    }
                    item.set("payload", JSON.valueToTree(found.getPayload()));
                }
            }
            case "pcache.scache.close" -> ((Cached) recipes.remove("pcache-sc:" + id)).close();
            case "pcache.provider.pick" -> {
                @SuppressWarnings({"unchecked", "rawtypes"})
                ServiceProvider<Map> provider = (ServiceProvider<Map>) recipes.get("pcache-sp:" + id);
                if (provider == null) {
                    provider = discovery(client, recipes, r).serviceProviderBuilder()
                        .serviceName(r.path("name").asText()).providerStrategy(new RoundRobinStrategy<>()).build();
                    provider.start();
                    recipes.put("pcache-sp:" + id, provider);
                }
                ArrayNode picks = out.putArray("picks");
                for (int i = 0; i < r.path("n").asInt(1); i++) {
                    @SuppressWarnings("rawtypes")
                    ServiceInstance<Map> picked = provider.getInstance();
                    picks.add(picked == null ? null : picked.getId());
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ServiceDiscovery<Map> discovery(CuratorFramework client, Map<String, Object> recipes,
                                                   JsonNode r) throws Exception {
        String key = "pcache-sd:" + r.path("base").asText();
        synchronized (recipes) {
            Object found = recipes.get(key);
            if (found == null) {
                ServiceDiscovery<Map> made = ServiceDiscoveryBuilder.builder(Map.class).client(client)
                    .basePath(r.path("base").asText()).serializer(new JsonInstanceSerializer<>(Map.class)).build();
                made.start();
                recipes.put(key, made);
                found = made;
            }
            return (ServiceDiscovery<Map>) found;
        }
    }

    private static byte[] hex(JsonNode r) {
        return HexFormat.of().parseHex(r.path("hex").asText(""));
    }

    private static String bytes(ChildData node) {
        return node == null || node.getData() == null ? null : HexFormat.of().formatHex(node.getData());
    }
}
