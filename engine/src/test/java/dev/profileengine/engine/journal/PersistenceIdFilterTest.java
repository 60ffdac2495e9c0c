package dev.profileengine.engine.journal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PersistenceIdFilterTest {
  @Test
  void everyAddedIdIsFoundAcrossGrowthAndFewOthersAre() {
    PersistenceIdFilter filter = new PersistenceIdFilter(1_000); // grows several times below
    int added = 200_000;
    for (int i = 0; i < added; i++) filter.add("UserProfile|" + i);
    for (int i = 0; i < added; i++) assertTrue(filter.mightContain("UserProfile|" + i), "added id " + i + " reported absent");
    int falsePositives = 0;
    for (int i = added; i < 2 * added; i++) if (filter.mightContain("UserProfile|" + i)) falsePositives++;
    // about 1% per stage; only a maybe, which costs the queries made without the filter
    assertTrue(falsePositives < added / 10, falsePositives + " of " + added + " never-added ids reported as maybe present");
  }

  @Test
  void addingTheSameIdAgainDoesNotGrowTheFilter() {
    PersistenceIdFilter filter = new PersistenceIdFilter(10);
    long bytes = filter.bytes();
    for (int i = 0; i < 1_000; i++) filter.add("UserProfile|same");
    assertTrue(filter.mightContain("UserProfile|same"));
    assertTrue(filter.bytes() == bytes, "grew to " + filter.bytes() + " bytes from " + bytes);
  }
}
