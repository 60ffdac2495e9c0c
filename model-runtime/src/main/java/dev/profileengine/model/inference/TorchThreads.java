package dev.profileengine.model.inference;

/**
 * PyTorch's own thread pools, which must be sized before the PyTorch engine starts (DJL reads the
 * system properties once). Serving runs one forward pass per pool worker, so each pass gets one
 * intra-op thread: the workers are the parallelism. With the default (one intra-op thread per core
 * for every worker) the threads of concurrent passes fight over the cores, and a call takes
 * several times as long.
 */
public final class TorchThreads {
  public static final String INTRA_OP = "ai.djl.pytorch.num_threads";
  public static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";

  private TorchThreads() {}

  /** Sets both pools to {@code threads} unless already set (e.g. with -D); call before loading a model. */
  public static void setIfUnset(int threads) {
    if (threads < 1) throw new IllegalArgumentException("PyTorch threads >= 1, was " + threads);
    if (System.getProperty(INTRA_OP) == null) System.setProperty(INTRA_OP, Integer.toString(threads));
    if (System.getProperty(INTER_OP) == null) System.setProperty(INTER_OP, Integer.toString(threads));
  }

  /** The intra-op threads the engine will use, or null when PyTorch's default (one per core) applies. */
  public static String intraOp() {
    return System.getProperty(INTRA_OP);
  }
}
