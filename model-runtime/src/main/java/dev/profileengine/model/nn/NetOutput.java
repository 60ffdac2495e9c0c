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
  /** From rows (training code collects batches this way); every row of a head must be as long. */
  public NetOutput(float[][] typeLogits, float[][] categoryProbabilities) {
    this(flatten(typeLogits), flatten(categoryProbabilities), typeLogits.length);
  }

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

  /** Every row of the type head, copied (training and evaluation). */
  public float[][] typeLogits() {
    return rows(typeLogitsFlat, size);
  }

  /** Every row of the category head, copied (training and evaluation). */
  public float[][] categoryProbabilities() {
    return rows(categoryFlat, size);
  }

  private static float[][] rows(float[] flat, int b) {
    int w = b == 0 ? 0 : flat.length / b;
    float[][] r = new float[b][];
    for (int i = 0; i < b; i++) r[i] = java.util.Arrays.copyOfRange(flat, i * w, (i + 1) * w);
    return r;
  }

  private static float[] flatten(float[][] rows) {
    int w = rows.length == 0 ? 0 : rows[0].length;
    float[] flat = new float[rows.length * w];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != w) throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + w);
      System.arraycopy(rows[i], 0, flat, i * w, w);
    }
    return flat;
  }
}
