package dev.profileengine.profile;

/** Where a behavior happened. Every field is optional (null when unknown). */
public record EventContext(String device, String os, String channel, String country, String city, String network) {

  public static final EventContext EMPTY = new EventContext(null, null, null, null, null, null);

  /** Field-wise overlay: this context's known fields win, the rest come from {@code older}. */
  public EventContext over(EventContext older) {
    if (older == null) return this;
    return new EventContext(
        device != null ? device : older.device,
        os != null ? os : older.os,
        channel != null ? channel : older.channel,
        country != null ? country : older.country,
        city != null ? city : older.city,
        network != null ? network : older.network);
  }
}
