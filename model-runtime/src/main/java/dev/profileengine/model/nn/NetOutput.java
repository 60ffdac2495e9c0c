package dev.profileengine.model.nn;

/**
 * Raw network output for a batch, copied off the engine as one array per head: row {@code i} of a
 * head starts at {@code i * width}. Serving reads the rows in place (a row of the category head is
 * the whole vocabulary, about 7 KB per prediction, so a copy per row doubled what a batch allocates).
 *
 * @param typeLogitsFlat (B, 6) row-major: one logit per BehaviorType ordinal, inactive types at -1e4
 * @param categoryFlat (B, V) row-major: softmax over the category vocabulary tokens
 * @param size B, the batch size
 */
public record NetOutput(float[] typeLogitsFlat, float[] categoryFlat, int size) {
  public int typeWidth() {
    return size == 0 ? 0 : typeLogitsFlat.length / size;
  }

  public int categoryWidth() {
    return size == 0 ? 0 : categoryFlat.length / size;
  }

  /** A copy of row {@code i} of the type head (six values). */
  public float[] typeLogits(int i) {
    return java.util.Arrays.copyOfRange(typeLogitsFlat, i * typeWidth(), (i + 1) * typeWidth());
  }

  /** Where row {@code i} of the category head starts in {@link #categoryFlat()}. */
  public int categoryOffset(int i) {
    return i * categoryWidth();
  }

  /** The batches' outputs one after the other (training and evaluation forward in chunks); each head as wide in every part. */
  public static NetOutput concat(java.util.List<NetOutput> parts) {
    int size = 0;
    int types = 0;
    int cats = 0;
    for (NetOutput o : parts) {
      size += o.size();
      types += o.typeLogitsFlat().length;
      cats += o.categoryFlat().length;
    }
    float[] t = new float[types];
    float[] c = new float[cats];
    int ti = 0;
    int ci = 0;
    for (NetOutput o : parts) {
      System.arraycopy(o.typeLogitsFlat(), 0, t, ti, o.typeLogitsFlat().length);
      System.arraycopy(o.categoryFlat(), 0, c, ci, o.categoryFlat().length);
      ti += o.typeLogitsFlat().length;
      ci += o.categoryFlat().length;
    }
    NetOutput all = new NetOutput(t, c, size);
    for (NetOutput o : parts)
      if (o.size() > 0 && (o.typeWidth() != all.typeWidth() || o.categoryWidth() != all.categoryWidth()))
        throw new IllegalArgumentException("parts of different widths: " + o.typeWidth() + "/" + o.categoryWidth() + " and " + all.typeWidth() + "/" + all.categoryWidth());
    return all;
  }
}
