package dev.profileengine.profile.segment;

import java.util.ArrayList;
import java.util.List;

/** Splits a segment rule into tokens; columns are 1-based. */
final class SegmentRuleLexer {

  enum Kind { PATH, NUMBER, STRING, OP, LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, END }

  /**
   * One token.
   *
   * @param text the source text (for a string, its unescaped value)
   * @param segments for a path, its dot-separated segments
   */
  record Token(Kind kind, String text, int column, List<String> segments) {
    /** How the token is named in an error message. */
    String describe() {
      return switch (kind) {
        case END -> "end of rule";
        case STRING -> "\"" + text + "\"";
        default -> "'" + text + "'";
      };
    }

    boolean isWord(String word) {
      return kind == Kind.PATH && segments.size() == 1 && text.equals(word);
    }
  }

  private final String src;
  private int pos;

  private SegmentRuleLexer(String src) {
    this.src = src;
  }

  static List<Token> tokens(String src) {
    return new SegmentRuleLexer(src).all();
  }

  private List<Token> all() {
    List<Token> out = new ArrayList<>();
    while (true) {
      while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
      if (pos >= src.length()) {
        out.add(new Token(Kind.END, "", pos + 1, List.of()));
        return out;
      }
      out.add(next());
    }
  }

  private Token next() {
    int start = pos;
    char c = src.charAt(pos);
    Kind single = switch (c) {
      case '(' -> Kind.LPAREN;
      case ')' -> Kind.RPAREN;
      case '[' -> Kind.LBRACKET;
      case ']' -> Kind.RBRACKET;
      case ',' -> Kind.COMMA;
      default -> null;
    };
    if (single != null) {
      pos++;
      return simple(single, start);
    }
    if (c == '"') return string();
    if (c == '=' || c == '!') {
      if (peek(1) != '=') throw new SegmentRuleSyntaxException(start + 1, "'" + c + "='", "'" + c + "'");
      pos += 2;
      return simple(Kind.OP, start);
    }
    if (c == '<' || c == '>') {
      pos += peek(1) == '=' ? 2 : 1;
      return simple(Kind.OP, start);
    }
    if (Character.isDigit(c) || (c == '-' && Character.isDigit(peek(1)))) return number();
    if (Character.isLetter(c) || c == '_') return path();
    throw new SegmentRuleSyntaxException(start + 1, "a path, literal, operator or parenthesis", "'" + c + "'");
  }

  private char peek(int ahead) {
    return pos + ahead < src.length() ? src.charAt(pos + ahead) : '\0';
  }

  private Token simple(Kind kind, int start) {
    return new Token(kind, src.substring(start, pos), start + 1, List.of());
  }

  private Token number() {
    int start = pos;
    if (src.charAt(pos) == '-') pos++;
    digits();
    if (peek(0) == '.' && Character.isDigit(peek(1))) {
      pos++;
      digits();
    }
    if (peek(0) == 'e' || peek(0) == 'E') {
      pos++;
      if (peek(0) == '+' || peek(0) == '-') pos++;
      if (!Character.isDigit(peek(0))) throw new SegmentRuleSyntaxException(pos + 1, "digits of the exponent", found());
      digits();
    }
    if (Character.isLetter(peek(0)) || peek(0) == '_')
      throw new SegmentRuleSyntaxException(pos + 1, "an operator or the end of the number", found());
    return simple(Kind.NUMBER, start);
  }

  private void digits() {
    while (Character.isDigit(peek(0))) pos++;
  }

  private Token string() {
    int start = pos++;
    StringBuilder b = new StringBuilder();
    while (pos < src.length()) {
      char c = src.charAt(pos++);
      if (c == '"') return new Token(Kind.STRING, b.toString(), start + 1, List.of());
      if (c == '\\') {
        char e = peek(0);
        if (e != '"' && e != '\\') throw new SegmentRuleSyntaxException(pos + 1, "'\\\"' or '\\\\' after a backslash", found());
        b.append(e);
        pos++;
      } else {
        b.append(c);
      }
    }
    throw new SegmentRuleSyntaxException(pos + 1, "a closing '\"' of the string opened at column " + (start + 1), "end of rule");
  }

  /** A root (letters, digits, '_') then any number of '.'-separated segments (letters, digits, '_', '-'). */
  private Token path() {
    int start = pos;
    List<String> segments = new ArrayList<>();
    while (Character.isLetterOrDigit(peek(0)) || peek(0) == '_') pos++;
    segments.add(src.substring(start, pos));
    while (peek(0) == '.') {
      int from = ++pos;
      while (Character.isLetterOrDigit(peek(0)) || peek(0) == '_' || peek(0) == '-') pos++;
      if (pos == from) throw new SegmentRuleSyntaxException(pos + 1, "a path segment after '.'", found());
      segments.add(src.substring(from, pos));
    }
    return new Token(Kind.PATH, src.substring(start, pos), start + 1, List.copyOf(segments));
  }

  private String found() {
    return pos < src.length() ? "'" + src.charAt(pos) + "'" : "end of rule";
  }
}
