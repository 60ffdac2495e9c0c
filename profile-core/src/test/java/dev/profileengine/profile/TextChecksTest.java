package dev.profileengine.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TextChecksTest {
  @Test
  void theFirstProblemOfATextIsItsReason() {
    assertNull(TextChecks.reason("ann", 3));
    assertNull(TextChecks.reason(" ", 3), "blank is for the caller to judge");
    assertEquals("is 4 characters long, at most 3 allowed", TextChecks.reason("anne", 3));
    assertEquals("is 4 characters long, at most 3 allowed", TextChecks.reason("a\u0001\ud800b", 3), "length first");
    assertEquals(TextChecks.CONTROL, TextChecks.reason("a\nb", 3));
    assertEquals(TextChecks.CONTROL, TextChecks.reason("\u0001\ud800", 3), "control before surrogate");
    assertEquals(TextChecks.UNPAIRED_SURROGATE, TextChecks.reason("a\ud800", 3));
    assertEquals(TextChecks.UNPAIRED_SURROGATE, TextChecks.reason("\udc00\ud800", 3));
    assertNull(TextChecks.reason("\ud83d\ude00", 3), "a pair is one character of Unicode");
  }

  @Test
  void freeTextMayHoldLineBreaksAndTabsOnly() {
    assertNull(TextChecks.reason("a\nb", 3, true));
    assertNull(TextChecks.reason("\t\r\n", 3, true));
    for (String c : new String[] {"\u0000", "\u001b", "\u007f", "\u0085"}) assertEquals(TextChecks.CONTROL_IN_TEXT, TextChecks.reason("a" + c, 3, true));
    assertEquals(TextChecks.UNPAIRED_SURROGATE, TextChecks.reason("\n\ud800", 3, true));
    assertEquals("is 4 characters long, at most 3 allowed", TextChecks.reason("a\nbc", 3, true));
  }

  @Test
  void aRequiredTextMustBeThere() {
    assertEquals(TextChecks.REQUIRED, TextChecks.required(null, 3));
    assertEquals(TextChecks.REQUIRED, TextChecks.required(" \t", 3));
    assertEquals(TextChecks.CONTROL, TextChecks.required("a\u0000", 3));
    assertNull(TextChecks.required("ann", 3));
  }
}
