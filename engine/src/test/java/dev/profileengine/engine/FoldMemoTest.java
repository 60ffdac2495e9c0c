package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class FoldMemoTest {
  @Test
  void givesTheRecordedStepsInOrderForTheSameObjectsOnly() {
    FoldMemo<String, Object> memo = new FoldMemo<>();
    String s0 = new String("s0"), s1 = new String("s1"), s2 = new String("s2"), s3 = new String("s3");
    Object e1 = new Object(), e2 = new Object(), e3 = new Object();
    memo.clear();
    memo.record(s0, e1, s1);
    memo.record(s1, e2, s2);
    memo.record(s2, e3, s3);
    assertSame(s1, memo.take(s0, e1));
    assertSame(s2, memo.take(s1, e2));
    assertSame(s3, memo.take(s2, e3));
    assertNull(memo.take(s3, e1), "all taken: nothing left");
  }

  @Test
  void anEqualButOtherStateOrEventMissesAndForgetsTheRest() {
    FoldMemo<String, Object> memo = new FoldMemo<>();
    String s0 = new String("s"), s1 = new String("s1"), s2 = new String("s2");
    Object e1 = new Object(), e2 = new Object();
    memo.record(s0, e1, s1);
    memo.record(s1, e2, s2);
    assertNull(memo.take(new String("s"), e1), "an equal state is not the same state");
    assertNull(memo.take(s0, e1), "forgotten after a miss");
    memo.record(s0, e1, s1);
    assertNull(memo.take(s0, new Object()));
    memo.clear();
    memo.record(s0, e1, s1);
    memo.clear();
    assertNull(memo.take(s0, e1), "a new fold forgets the last");
  }
}
