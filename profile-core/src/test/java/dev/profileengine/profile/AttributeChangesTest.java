package dev.profileengine.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A write stores only the attributes it changes. */
class AttributeChangesTest {
  @Test
  void noOpsAreDroppedAndOrderKept() {
    Map<String, Object> current = Map.of("tier", "gold", "age", 30L);
    Map<String, Object> requested = new LinkedHashMap<>();
    requested.put("tier", "gold");   // unchanged
    requested.put("age", 31L);       // changed
    requested.put("gone", null);     // removing an absent key
    requested.put("tier2", "x");     // new
    Map<String, Object> expected = new HashMap<>();
    expected.put("age", 31L);
    expected.put("tier2", "x");
    Map<String, Object> effective = AttributeChanges.effective(current, requested);
    assertEquals(expected, effective);
    assertEquals(List.of("age", "tier2"), List.copyOf(effective.keySet()));
    Map<String, Object> remove = new HashMap<>();
    remove.put("age", null);
    assertEquals(remove, AttributeChanges.effective(current, remove));
  }
}
