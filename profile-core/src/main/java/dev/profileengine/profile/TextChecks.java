package dev.profileengine.profile;

/**
 * The checks of one text a client sends (an id, an identity's value, an attribute, an event's
 * field): not too long, no control character, valid Unicode. Each returns the reason a field is
 * refused for (to follow its name: "userId is 200 characters long, ..."), or null when the text is
 * fine, so every caller refuses the same text with the same words whatever it answers with.
 */
public final class TextChecks {
  /** Why a text with a control character is refused. */
  public static final String CONTROL = "must not contain control characters";
  /** Why a free text (an attribute's value) with a control character other than a line break or tab is refused. */
  public static final String CONTROL_IN_TEXT = "must not contain control characters other than tab, line feed and carriage return";
  /** Why a path id or query value holding U+FFFD is refused: what Akka makes of percent-encoded bytes that are not UTF-8. */
  public static final String NOT_UTF8 = "is not valid UTF-8 (or holds U+FFFD, the replacement character)";
  /** Why a text with an unpaired surrogate is refused. */
  public static final String UNPAIRED_SURROGATE = "must be valid Unicode: it holds an unpaired UTF-16 surrogate";
  /** Why a profile id is refused that a request path could not name (Akka removes dot segments, even percent-encoded). */
  public static final String DOT_SEGMENT = "must not be '.' or '..': no request path could name the profile";
  /** Why an id sent in a body holding U+FFFD is refused: a path or query naming it reads as not UTF-8 ({@link #NOT_UTF8}). */
  public static final String REPLACEMENT = "must not hold U+FFFD, the replacement character: no request path could name the profile";
  /** Why a required text that is absent or blank is refused. */
  public static final String REQUIRED = "is required and must not be blank";

  private TextChecks() {}

  /**
   * Why {@code value} (not null) is refused as a text of at most {@code maxLength} characters with
   * no control character, else null: the first of too long, a control character, an unpaired
   * surrogate. Blank is for the caller to judge (see {@link #required}).
   */
  public static String reason(String value, int maxLength) {
    return reason(value, maxLength, false);
  }

  /**
   * As {@link #reason(String, int)}; with {@code freeText}, tabs and line breaks pass (an attribute's
   * value), other control characters (NUL, escape sequences) do not.
   */
  public static String reason(String value, int maxLength, boolean freeText) {
    if (value.length() > maxLength) return "is " + value.length() + " characters long, at most " + maxLength + " allowed";
    if (!freeText && hasControl(value)) return CONTROL;
    if (freeText && hasControlBesidesLineBreaks(value)) return CONTROL_IN_TEXT;
    if (unpairedSurrogate(value)) return UNPAIRED_SURROGATE;
    return null;
  }

  /** As {@link #reason(String, int)} for a text that must be there: {@link #REQUIRED} when it is null or blank. */
  public static String required(String value, int maxLength) {
    return value == null || value.isBlank() ? REQUIRED : reason(value, maxLength);
  }

  /**
   * As {@link #required} for an id that becomes a profile's id (an event's or identify's user id, an
   * identity's value): also refused, so that no profile is written that no path could read or
   * forget, the dot segments {@code .} and {@code ..} and U+FFFD.
   */
  public static String profileId(String value, int maxLength) {
    String reason = required(value, maxLength);
    if (reason != null) return reason;
    if (value.equals(".") || value.equals("..")) return DOT_SEGMENT;
    return hasReplacementCharacter(value) ? REPLACEMENT : null;
  }

  /** As {@link #reason(String, int)} for an optional id (an item, category, brand): present, it must not be blank. */
  public static String optionalId(String value, int maxLength) {
    return value.isBlank() ? "must not be blank: leave it out instead" : reason(value, maxLength);
  }

  /**
   * As {@link #required} for a text taken from a request's path or query, where Akka decodes a
   * percent-encoded byte sequence that is not UTF-8 (%ED%A0%80, %C0%AF) as U+FFFD: {@link #NOT_UTF8} then.
   */
  public static String requiredDecoded(String value, int maxLength) {
    return value != null && hasReplacementCharacter(value) ? NOT_UTF8 : required(value, maxLength);
  }

  /** Whether {@code s} holds a control character (a loop: checked for every id of every event and read). */
  public static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) if (Character.isISOControl(s.charAt(i))) return true;
    return false;
  }

  /** Whether {@code s} holds U+FFFD ({@link #NOT_UTF8}). */
  public static boolean hasReplacementCharacter(String s) {
    return s.indexOf('\uFFFD') >= 0;
  }

  private static boolean hasControlBesidesLineBreaks(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') return true;
    }
    return false;
  }

  /**
   * Whether {@code s} holds a UTF-16 surrogate that is not half of a pair (JSON's {@code "\ud800"}):
   * no Unicode text, and no journal write could encode it, so it is refused before it is stored.
   */
  public static boolean unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!Character.isSurrogate(c)) continue;
      if (!Character.isHighSurrogate(c) || i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return true;
      i++;
    }
    return false;
  }
}
