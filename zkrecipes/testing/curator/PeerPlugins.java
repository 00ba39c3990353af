// The Curator peer's plug-ins: each PeerXxx class named below, when its source file exists, gets
// the ops CuratorPeer and PeerExtras do not know. A plug-in is a final class with
//     static boolean dispatch(CuratorFramework client, Map<String, Object> recipes,
//                             String op, JsonNode request, ObjectNode out) throws Exception
// returning false for ops it does not know. Recipes it keeps in `recipes` are closed on
// disconnect (java.io.Closeable ones). Written for zkrecipes; Curator's public API only.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;

final class PeerPlugins {
    /** The plug-in classes, tried in this order; a missing one is skipped. */
    private static final String[] NAMES = {
        "PeerQueues", "PeerCaches", "PeerLeaders", "PeerLocks", "PeerCounters",
    };
    private static final List<Method> METHODS = load();

    private PeerPlugins() {
    }

    private static List<Method> load() {
        List<Method> found = new ArrayList<>();
        for (String name : NAMES) {
            try {
                found.add(Class.forName(name).getDeclaredMethod("dispatch", CuratorFramework.class,
                    Map.class, String.class, JsonNode.class, ObjectNode.class));
            } catch (ClassNotFoundException | NoSuchMethodException absent) {
                // that plug-in is not part of this build
            }
        }
        return found;
    }

    static boolean dispatch(CuratorFramework client, Map<String, Object> recipes, String op,
                            JsonNode r, ObjectNode out) throws Exception {
        for (Method method : METHODS) {
            try {
                if ((Boolean) method.invoke(null, client, recipes, op, r, out)) {
                    return true;
                }
            } catch (InvocationTargetException failed) {
                Throwable cause = failed.getCause();
                if (cause instanceof Exception exception) {
                    throw exception;
                }
                throw failed;
            }
        }
        return false;
    }
}
