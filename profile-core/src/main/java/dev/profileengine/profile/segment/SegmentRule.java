package dev.profileengine.profile.segment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A parsed segment membership rule: a boolean expression over the {@link SegmentFacts} of a
 * profile. Parse with {@link #parse}; the grammar (lowest precedence first):
 *
 * <pre>
 *   rule    := or
 *   or      := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' or ')' | path (op literal | 'in' '[' [literal (',' literal)*] ']')?
 *   op      := '==' | '!=' | '>' | '>=' | '<' | '<='
 *   literal := number | "string" | true | false | null
 * </pre>
 *
 * A bare path is true when its value is {@code true}, a non-zero number or a non-null string. A
 * path whose value is null (an unknown leaf, or no data yet) fails every comparison, {@code !=}
 * and {@code in} included; only {@code == null} holds for it. Values and literals of different
 * kinds are never equal (so {@code !=} holds) and never ordered.
 */
public sealed interface SegmentRule {

  /** Whether the profile described by {@code facts} satisfies the rule. */
  boolean matches(SegmentFacts facts);

  /** Canonical, fully parenthesized text: equal for rules that differ only in spacing or redundant parentheses. */
  String text();

  /** Parses {@code source}, or throws {@link SegmentRuleSyntaxException} naming the column and what was expected. */
  static SegmentRule parse(String source) {
    return SegmentRuleParser.parse(source);
  }

  /** Both hold. */
  record And(SegmentRule left, SegmentRule right) implements SegmentRule {
    public boolean matches(SegmentFacts f) {
      return left.matches(f) && right.matches(f);
    }

    public String text() {
      return "(" + left.text() + " and " + right.text() + ")";
    }
  }

  /** Either holds. */
  record Or(SegmentRule left, SegmentRule right) implements SegmentRule {
    public boolean matches(SegmentFacts f) {
      return left.matches(f) || right.matches(f);
    }

    public String text() {
      return "(" + left.text() + " or " + right.text() + ")";
    }
  }

  /** The negation. */
  record Not(SegmentRule rule) implements SegmentRule {
    public boolean matches(SegmentFacts f) {
      return !rule.matches(f);
    }

    public String text() {
      return "not " + rule.text();
    }
  }

  /** {@code path op literal}; {@code literal} is a Double, String, Boolean or null. */
  record Compare(FactPath path, Op op, Object literal) implements SegmentRule {
    public boolean matches(SegmentFacts f) {
      return op.test(f.value(path), literal);
    }

    public String text() {
      return path.text() + " " + op.symbol() + " " + literalText(literal);
    }
  }

  /** {@code path in [literals]}: equal to one of them. */
  record In(FactPath path, List<Object> literals) implements SegmentRule {
    public In {
      literals = Collections.unmodifiableList(new ArrayList<>(literals));
    }

    public boolean matches(SegmentFacts f) {
      Object v = f.value(path);
      for (Object l : literals) if (Op.EQ.test(v, l)) return true;
      return false;
    }

    public String text() {
      return path.text() + " in [" + literals.stream().map(SegmentRule::literalText).collect(Collectors.joining(", ")) + "]";
    }
  }

  /** A bare path: true, a non-zero number or a non-null string. */
  record Truthy(FactPath path) implements SegmentRule {
    public boolean matches(SegmentFacts f) {
      Object v = f.value(path);
      if (v instanceof Boolean b) return b;
      if (v instanceof Number n) return n.doubleValue() != 0;
      return v != null;
    }

    public String text() {
      return path.text();
    }
  }

  /** Comparison operators. Numbers compare as doubles, strings lexicographically, booleans only for (in)equality. */
  enum Op {
    EQ("=="), NE("!="), GT(">"), GE(">="), LT("<"), LE("<=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    static Op of(String symbol) {
      for (Op o : values()) if (o.symbol.equals(symbol)) return o;
      throw new IllegalArgumentException("not an operator: " + symbol);
    }

    /** False whenever the value is null, except {@code == null}; {@code != null} holds for any non-null value. */
    public boolean test(Object value, Object literal) {
      if (literal == null) return switch (this) {
        case EQ -> value == null;
        case NE -> value != null;
        default -> false;
      };
      if (value == null) return false;
      Integer c = compare(value, literal);
      return switch (this) {
        case EQ -> c != null && c == 0;
        case NE -> c == null || c != 0;
        case GT -> c != null && !(value instanceof Boolean) && c > 0;
        case GE -> c != null && !(value instanceof Boolean) && c >= 0;
        case LT -> c != null && !(value instanceof Boolean) && c < 0;
        case LE -> c != null && !(value instanceof Boolean) && c <= 0;
      };
    }

    /** Null when the two are of different kinds. */
    private static Integer compare(Object value, Object literal) {
      if (value instanceof Number a && literal instanceof Number b) return Double.compare(a.doubleValue(), b.doubleValue());
      if (value instanceof String a && literal instanceof String b) return a.compareTo(b);
      if (value instanceof Boolean a && literal instanceof Boolean b) return a.compareTo(b);
      return null;
    }
  }

  private static String literalText(Object literal) {
    if (literal instanceof String s) return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    if (literal instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return Long.toString(d.longValue());
    return String.valueOf(literal);
  }
}
