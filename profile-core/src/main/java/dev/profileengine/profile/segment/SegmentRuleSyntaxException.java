package dev.profileengine.profile.segment;

/**
 * A segment rule that does not parse: where (1-based column) and what was expected there.
 * The message reads {@code "column 17: expected a literal ... but found end of rule"}.
 */
public final class SegmentRuleSyntaxException extends IllegalArgumentException {
  private final int column;
  private final String expected;

  public SegmentRuleSyntaxException(int column, String expected, String found) {
    super("column " + column + ": expected " + expected + " but found " + found);
    this.column = column;
    this.expected = expected;
  }

  public int column() {
    return column;
  }

  public String expected() {
    return expected;
  }
}
