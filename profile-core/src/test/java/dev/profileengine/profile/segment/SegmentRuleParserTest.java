package dev.profileengine.profile.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SegmentRuleParserTest {

  /** Facts from a flat map of path text to value. */
  private static SegmentFacts facts(Object... pathsAndValues) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < pathsAndValues.length; i += 2) m.put((String) pathsAndValues[i], pathsAndValues[i + 1]);
    return p -> m.get(p.text());
  }

  private static String text(String rule) {
    return SegmentRule.parse(rule).text();
  }

  private static SegmentRuleSyntaxException error(String rule) {
    return assertThrows(SegmentRuleSyntaxException.class, () -> SegmentRule.parse(rule));
  }

  @Test
  void andBindsTighterThanOrAndNotTighterThanAnd() {
    assertEquals("(flags.a or (flags.b and flags.c))", text("flags.a or flags.b and flags.c"));
    assertEquals("((not flags.a and flags.b) or flags.c)", text("not flags.a and flags.b or flags.c"));
    assertEquals("((flags.a and flags.b) and flags.c)", text("flags.a and flags.b and flags.c"), "left associative");
  }

  @Test
  void parenthesesOverridePrecedence() {
    assertEquals("((flags.a or flags.b) and flags.c)", text("(flags.a or flags.b) and flags.c"));
    assertEquals("not (flags.a or flags.b)", text("not (flags.a or flags.b)"));
    assertEquals(text("flags.a and flags.b"), text("((flags.a)) and (flags.b)"), "redundant parentheses vanish");
  }

  @Test
  void comparisonsAndLiterals() {
    SegmentRule.Compare c = assertInstanceOf(SegmentRule.Compare.class, SegmentRule.parse("counts.30d.purchase >= 3"));
    assertEquals(new FactPath("counts", List.of("30d", "purchase")), c.path());
    assertEquals(SegmentRule.Op.GE, c.op());
    assertEquals(3.0, c.literal());
    assertEquals("spend.total < -1.5", text("spend.total<-1.5"));
    assertEquals("spend.total <= 1000", text("spend.total <= 1e3"));
    assertEquals("rfm.segment == \"champ \\\"s\\\"\"", text("rfm.segment == \"champ \\\"s\\\"\""));
    assertEquals("attributes.vip != true", text("attributes.vip != true"));
    assertEquals("attributes.vip == null", text("attributes.vip == null"));
    assertEquals("interest.category.4756105 > 0.5", text("interest.category.4756105 > 0.5"));
    assertEquals("attributes.loyalty-tier == false", text("attributes.loyalty-tier == false"));
  }

  @Test
  void inLists() {
    SegmentRule.In in = assertInstanceOf(SegmentRule.In.class, SegmentRule.parse("context.country in [\"US\", \"CA\", 1, null]"));
    assertEquals(Arrays.asList("US", "CA", 1.0, null), in.literals());
    assertEquals("context.country in []", text("context.country in [ ]"));
    assertTrue(in.matches(facts("context.country", "CA")));
    assertFalse(in.matches(facts("context.country", "DE")));
  }

  @Test
  void evaluationSemantics() {
    SegmentFacts f = facts("counts.1h.cart", 2L, "counts.1h.purchase", 0L, "context.country", "US", "attributes.vip", true,
        "rfm.segment", "champions", "spend.total", 0.0, "context.city", "");
    assertTrue(SegmentRule.parse("counts.1h.cart >= 1 and counts.1h.purchase == 0").matches(f));
    assertFalse(SegmentRule.parse("not (context.country in [\"US\", \"CA\"])").matches(f));
    assertTrue(SegmentRule.parse("not (context.country in [\"US\", \"CA\"]) or attributes.vip == true").matches(f));
    assertTrue(SegmentRule.parse("rfm.segment == \"champions\"").matches(f));
    assertTrue(SegmentRule.parse("attributes.vip").matches(f), "true is truthy");
    assertTrue(SegmentRule.parse("counts.1h.cart").matches(f), "non-zero is truthy");
    assertFalse(SegmentRule.parse("spend.total").matches(f), "zero is not");
    assertTrue(SegmentRule.parse("context.city").matches(f), "a non-null string is truthy, even empty");
    assertFalse(SegmentRule.parse("context.os").matches(f), "null is not");
    // null values fail every comparison but == null
    assertFalse(SegmentRule.parse("context.os == \"ios\"").matches(f));
    assertFalse(SegmentRule.parse("context.os != \"ios\"").matches(f));
    assertFalse(SegmentRule.parse("context.os >= 0").matches(f));
    assertFalse(SegmentRule.parse("context.os in [\"ios\"]").matches(f));
    assertTrue(SegmentRule.parse("context.os in [null, \"ios\"]").matches(f), "in is any ==");
    assertTrue(SegmentRule.parse("context.os == null").matches(f));
    assertTrue(SegmentRule.parse("context.country != null").matches(f));
    // kinds never mix
    assertFalse(SegmentRule.parse("context.country == 1").matches(f));
    assertTrue(SegmentRule.parse("context.country != 1").matches(f));
    assertFalse(SegmentRule.parse("attributes.vip > false").matches(f), "booleans are not ordered");
    assertTrue(SegmentRule.parse("rfm.segment > \"at_risk\"").matches(f), "strings order lexicographically");
  }

  @Test
  void syntaxErrorsNameTheColumnAndWhatWasExpected() {
    SegmentRuleSyntaxException e = error("counts.1h.cart >=");
    assertEquals(18, e.column());
    assertEquals("column 18: expected a literal (number, \"string\", true, false or null) but found end of rule", e.getMessage());

    assertEquals("column 20: expected ')' closing the '(' at column 1 but found end of rule", error("(flags.a or flags.b").getMessage());
    assertEquals("column 24: expected a path, 'not' or '(' but found end of rule", error("(flags.a or flags.b and").getMessage());
    assertEquals("column 1: expected a path, 'not' or '(' but found '=='", error("== 3").getMessage());
    assertEquals("column 9: expected 'and', 'or' or end of rule but found 'flags.b'", error("flags.a flags.b").getMessage());
    assertEquals("column 1: expected a path, 'not' or '(' but found 'and'", error("and flags.a").getMessage());
    assertEquals("column 13: expected '==' but found '='", error("rfm.segment = \"x\"").getMessage());
    assertEquals("column 22: expected a closing '\"' of the string opened at column 16 but found end of rule",
        error("rfm.segment == \"champ").getMessage());
    assertEquals("column 20: expected '[' after 'in' but found \"US\"", error("context.country in \"US\"").getMessage());
    assertEquals("column 25: expected ',' or ']' but found end of rule", error("context.country in [\"US\"").getMessage());
    assertEquals("column 8: expected a path segment after '.' but found ' '", error("counts. >= 1").getMessage());
    assertEquals("column 9: expected a path, literal, operator or parenthesis but found '@'", error("flags.a @").getMessage());
    assertEquals("column 12: expected a literal (number, \"string\", true, false or null) but found 'flags.b'",
        error("flags.a == flags.b").getMessage());
    assertEquals("column 1: expected a rule but found nothing", assertThrows(SegmentRuleSyntaxException.class,
        () -> SegmentRule.parse(null)).getMessage());
    assertEquals("column 1: expected a path, 'not' or '(' but found end of rule", error("").getMessage());
  }

  @Test
  void anUnknownRootIsRejectedAtParseTime() {
    SegmentRuleSyntaxException e = error("flags.a and purchases.count > 1");
    assertEquals(13, e.column());
    assertTrue(e.getMessage().startsWith("column 13: expected a path root (counts, eventCount, "), e.getMessage());
    assertTrue(e.getMessage().endsWith("but found 'purchases'"), e.getMessage());
  }

  @Test
  void anUnknownLeafUnderAKnownRootParses() {
    assertEquals("counts.2h.cart >= 1", text("counts.2h.cart >= 1"));
  }
}
