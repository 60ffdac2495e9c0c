package dev.profileengine.profile;

import java.time.Instant;

/** Test helpers building events and folding them into profiles. */
final class Events {
  static final Instant T0 = Instant.parse("2017-11-26T10:00:00Z");

  private Events() {}

  static BehaviorEvent event(String id, BehaviorType type, Instant at) {
    return BehaviorEvent.of(id, "u1", type, at);
  }

  static BehaviorEvent view(String id, Instant at, String category) {
    return event(id, BehaviorType.VIEW, at).withCategory("item-" + id, category);
  }

  static BehaviorEvent purchase(String id, Instant at, double price, int quantity) {
    return event(id, BehaviorType.PURCHASE, at).withCategory("item-" + id, "c1").withPurchase("b1", price, quantity);
  }

  static BehaviorEvent cart(String id, Instant at) {
    return event(id, BehaviorType.CART, at).withCategory("item-" + id, "c1");
  }

  /** {@code e} happening in {@code country} / {@code city} (either may be null). */
  static BehaviorEvent at(BehaviorEvent e, String country, String city) {
    return e.withBrowsing(null, null, null, new EventContext("mobile", "ios", "app", country, city, "wifi"));
  }

  /** Admits then applies, the way the entity does; returns the new state and the admission. */
  record Step(ProfileState state, Admission admission) {}

  static Step offer(ProfileState s, BehaviorEvent e, ProfileSettings settings) {
    Admission a = s.admit(e, settings);
    return new Step(a instanceof Admission.Accept ? s.apply(e, settings) : s, a);
  }

  static ProfileState fold(ProfileSettings settings, BehaviorEvent... events) {
    ProfileState s = ProfileState.empty("u1");
    for (BehaviorEvent e : events) s = offer(s, e, settings).state();
    return s;
  }
}
