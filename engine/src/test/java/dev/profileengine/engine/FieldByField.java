package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Deep comparison of decoded values with expected ones, naming the first differing field (records
 * compare arrays by identity, and a field that silently became null must show by its name).
 */
public final class FieldByField {
  private FieldByField() {}

  public static void assertSameValue(Object expected, Object actual) {
    compare(expected, actual, expected == null ? "value" : expected.getClass().getSimpleName());
  }

  private static void compare(Object expected, Object actual, String path) {
    if (expected == null || actual == null) {
      if (expected != actual) fail(path + ": expected " + expected + " but was " + actual);
      return;
    }
    if (expected instanceof akka.actor.typed.ActorRef<?> e && actual instanceof akka.actor.typed.ActorRef<?> a) {
      assertEquals(e.path().toStringWithoutAddress(), a.path().toStringWithoutAddress(), path);
      return;
    }
    if (expected.getClass().isRecord()) {
      assertEquals(expected.getClass(), actual.getClass(), path + ": type");
      for (RecordComponent c : expected.getClass().getRecordComponents()) {
        Method m = c.getAccessor();
        m.setAccessible(true);
        try {
          compare(m.invoke(expected), m.invoke(actual), path + "." + c.getName());
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(path + "." + c.getName() + ": " + e, e);
        }
      }
      return;
    }
    if (expected.getClass().isArray()) {
      assertEquals(expected.getClass(), actual.getClass(), path + ": type");
      assertEquals(Array.getLength(expected), Array.getLength(actual), path + ": length");
      for (int i = 0; i < Array.getLength(expected); i++) compare(Array.get(expected, i), Array.get(actual, i), path + "[" + i + "]");
      return;
    }
    if (expected instanceof List<?> e) {
      if (!(actual instanceof List<?> a)) throw new AssertionError(path + ": expected a list but was " + actual.getClass());
      assertEquals(e.size(), a.size(), path + ": size");
      for (int i = 0; i < e.size(); i++) compare(e.get(i), a.get(i), path + "[" + i + "]");
      return;
    }
    if (expected instanceof Map<?, ?> e) {
      if (!(actual instanceof Map<?, ?> a)) throw new AssertionError(path + ": expected a map but was " + actual.getClass());
      assertEquals(new TreeSet<>(e.keySet().stream().map(String::valueOf).toList()),
          new TreeSet<>(a.keySet().stream().map(String::valueOf).toList()), path + ": keys");
      for (Map.Entry<?, ?> x : e.entrySet()) {
        if (!a.containsKey(x.getKey())) fail(path + ": key " + x.getKey() + " of type " + x.getKey().getClass().getSimpleName() + " missing");
        compare(x.getValue(), a.get(x.getKey()), path + "[" + x.getKey() + "]");
      }
      return;
    }
    if (expected instanceof Optional<?> e) {
      if (!(actual instanceof Optional<?> a)) throw new AssertionError(path + ": expected an Optional but was " + actual.getClass());
      assertEquals(e.isPresent(), a.isPresent(), path + ": present");
      if (e.isPresent()) compare(e.get(), a.get(), path);
      return;
    }
    assertEquals(expected.getClass(), actual.getClass(), path + ": type");
    assertEquals(expected, actual, path);
  }
}
