// Unpacks DJL's PyTorch native libraries into DJL_CACHE_DIR at image build time, so that pods
// start offline (-Dai.djl.offline=true) without writing ~/.djl.ai at run time.
//
//   java -Dai.djl.offline=true -cp profile-engine.jar k8s/DjlWarmup.java
//
// Run as a single-file source program (JEP 330). It uses reflection only, so it compiles whether or
// not DJL is on the classpath: when the jar does not contain DJL yet there is nothing to unpack and
// it says so and exits 0; when DJL is there, any failure to load the engine fails the build (exit 1).
import java.lang.reflect.Method;

public class DjlWarmup {
  public static void main(String[] args) throws Exception {
    String engineName = args.length > 0 ? args[0] : "PyTorch";
    Class<?> engineClass;
    try {
      engineClass = Class.forName("ai.djl.engine.Engine");
    } catch (ClassNotFoundException e) {
      System.out.println("DjlWarmup: ai.djl.engine.Engine is not on the classpath; no native libraries to unpack");
      return;
    }
    try {
      Method getEngine = engineClass.getMethod("getEngine", String.class);
      Object engine = getEngine.invoke(null, engineName);
      Object version = engineClass.getMethod("getVersion").invoke(engine);
      // Creating an NDManager and an array makes the engine load (and so unpack) every native library.
      Object manager = engineClass.getMethod("newBaseManager").invoke(engine);
      try (AutoCloseable closeable = (AutoCloseable) manager) {
        Class<?> ndManager = Class.forName("ai.djl.ndarray.NDManager");
        Object array = ndManager.getMethod("ones", Class.forName("ai.djl.ndarray.types.Shape"))
            .invoke(manager, Class.forName("ai.djl.ndarray.types.Shape").getConstructor(long[].class)
                .newInstance((Object) new long[] {2, 2}));
        Object sum = array.getClass().getMethod("sum").invoke(array);
        Object value = sum.getClass().getMethod("getFloat", long[].class).invoke(sum, (Object) new long[0]);
        System.out.println("DjlWarmup: engine " + engineName + " " + version + " loaded, ones(2,2).sum() = " + value
            + ", cache dir " + System.getenv().getOrDefault("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai"));
      }
    } catch (Throwable t) {
      Throwable cause = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null ? t.getCause() : t;
      System.err.println("DjlWarmup: failed to load the " + engineName + " engine: " + cause);
      cause.printStackTrace();
      System.exit(1);
    }
  }
}
