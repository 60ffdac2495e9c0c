package dev.profileengine.model.encoding;

import static dev.profileengine.model.TestData.b;
import static dev.profileengine.profile.BehaviorType.CART;
import static dev.profileengine.profile.BehaviorType.PURCHASE;
import static dev.profileengine.profile.BehaviorType.VIEW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.profile.RecentBehavior;
import dev.profileengine.profile.BehaviorHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceEncoderTest {
  private final List<List<RecentBehavior>> history = List.of(
      List.of(b(VIEW, "c1", 0), b(VIEW, "c1", 5), b(CART, "c1", 100), b(PURCHASE, "c1", 200)),
      List.of(b(VIEW, "c2", 0), b(VIEW, "c1", 30), b(VIEW, "c2", 4000)));
  private final BehaviorStats stats = BehaviorStats.fit(history);
  private final CategoryVocabulary vocab = CategoryVocabulary.build(List.of("c1", "c1", "c1", "c1", "c1", "c2", "c2"), 1, 100);
  private final SequenceEncoder encoder = new SequenceEncoder(EncodingSpec.DEFAULT, vocab, stats,
      FeatureScaler.identity(SummaryFeatures.count(stats)));

  @Test
  void leftPadsToFiftyWithMostRecentLast() {
    EncodedSequence e = encoder.encode(UserContext.of(List.of(b(VIEW, "c1", 0), b(CART, "c2", 30), b(PURCHASE, "c1", 90))));
    assertEquals(50, e.types().length);
    for (int i = 0; i < 47; i++) {
      assertEquals(0, e.types()[i]);
      assertEquals(0, e.categories()[i]);
      assertEquals(0, e.gaps()[i]);
    }
    assertArrayEquals(new int[] {1 + VIEW.ordinal(), 1 + CART.ordinal(), 1 + PURCHASE.ordinal()},
        new int[] {e.types()[47], e.types()[48], e.types()[49]});
    assertEquals(vocab.token("c1"), e.categories()[47]);
    assertEquals(vocab.token("c2"), e.categories()[48]);
    assertEquals(1, e.gaps()[47], "first behavior has the 'no previous' gap token");
    assertEquals(SummaryFeatures.count(stats), e.features().length);
  }

  @Test
  void longSequencesKeepTheLastFifty() {
    List<RecentBehavior> seq = new ArrayList<>();
    for (int i = 0; i < 80; i++) seq.add(b(i == 79 ? CART : VIEW, "c1", i * 10L));
    EncodedSequence e = encoder.encode(UserContext.of(seq));
    assertTrue(e.types()[0] != 0, "no padding when 50 or more behaviors");
    assertEquals(1 + CART.ordinal(), e.types()[49]);
    assertEquals(1, e.gaps()[0], "the oldest behavior of the window has the 'no previous' token");
    assertEquals(2 + 1, e.gaps()[1], "the others their real gap (10 s bucket)");
  }

  @Test
  void aProfilesWindowWithItsCountersEncodesLikeTheWholeHistory() {
    List<RecentBehavior> seq = new ArrayList<>();
    for (int i = 0; i < 300; i++) seq.add(b(i % 9 == 0 ? CART : i % 31 == 0 ? PURCHASE : VIEW, "c" + (i % 4), i * 70_000L));
    List<RecentBehavior> last50 = seq.subList(250, 300);
    EncodedSequence whole = encoder.encode(UserContext.of(seq));
    EncodedSequence served = encoder.encode(new UserContext(last50, BehaviorHistory.of(seq)));
    assertArrayEquals(whole.types(), served.types());
    assertArrayEquals(whole.categories(), served.categories());
    assertArrayEquals(whole.gaps(), served.gaps());
    assertArrayEquals(whole.features(), served.features());
    EncodedSequence windowOnly = encoder.encode(UserContext.of(last50));
    assertFalse(Arrays.equals(whole.features(), windowOnly.features()), "the counters carry what the window does not");
  }

  @Test
  void unknownCategoriesGoToTheOovBucketAndNullToNone() {
    assertEquals(CategoryVocabulary.FIRST, vocab.token("c1"), "most frequent first");
    assertEquals(CategoryVocabulary.FIRST + 1, vocab.token("c2"));
    assertEquals(CategoryVocabulary.OOV, vocab.token("never-seen"));
    assertEquals(CategoryVocabulary.NONE, vocab.token(null));
    EncodedSequence e = encoder.encode(UserContext.of(List.of(b(VIEW, "zzz", 0))));
    assertEquals(CategoryVocabulary.OOV, e.categories()[49]);
    CategoryVocabulary minCount = CategoryVocabulary.build(List.of("a", "a", "b"), 2, 100);
    assertEquals(CategoryVocabulary.OOV, minCount.token("b"), "rare categories are out of vocabulary");
  }

  @Test
  void gapsAreBucketedOnALogScale() {
    EncodingSpec s = EncodingSpec.DEFAULT; // bounds 10 s, 1 min, 10 min, 1 h, 1 day
    assertEquals(2, s.gapToken(0));
    assertEquals(2, s.gapToken(9_999));
    assertEquals(3, s.gapToken(10_000));
    assertEquals(4, s.gapToken(60_000));
    assertEquals(5, s.gapToken(600_000));
    assertEquals(6, s.gapToken(3_600_000));
    assertEquals(7, s.gapToken(86_400_000));
    assertEquals(7, s.gapToken(30L * 86_400_000));
    assertEquals(2, s.gapToken(-5_000), "out-of-order times count as no gap");
    assertEquals(8, s.gapTokenCount());
  }

  @Test
  void outOfOrderInputIsSortedByTime() {
    EncodedSequence sorted = encoder.encode(UserContext.of(List.of(b(VIEW, "c1", 0), b(CART, "c1", 50))));
    EncodedSequence shuffled = encoder.encode(UserContext.of(List.of(b(CART, "c1", 50), b(VIEW, "c1", 0))));
    assertArrayEquals(sorted.types(), shuffled.types());
    assertArrayEquals(sorted.features(), shuffled.features());
  }

  @Test
  void emptyContextIsAllPadding() {
    EncodedSequence e = encoder.encode(UserContext.of(List.of()));
    for (int t : e.types()) assertEquals(0, t);
  }
}
