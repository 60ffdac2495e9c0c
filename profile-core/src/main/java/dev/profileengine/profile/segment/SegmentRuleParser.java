package dev.profileengine.profile.segment;

import dev.profileengine.profile.segment.SegmentRuleLexer.Kind;
import dev.profileengine.profile.segment.SegmentRuleLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser of the {@link SegmentRule} grammar. */
final class SegmentRuleParser {
  private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "true", "false", "null");
  private static final String LITERAL = "a literal (number, \"string\", true, false or null)";
  private static final String OPERAND = "a path, 'not' or '('";

  private final List<Token> tokens;
  private int at;

  private SegmentRuleParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static SegmentRule parse(String source) {
    if (source == null) throw new SegmentRuleSyntaxException(1, "a rule", "nothing");
    SegmentRuleParser p = new SegmentRuleParser(SegmentRuleLexer.tokens(source));
    SegmentRule rule = p.or();
    if (p.peek().kind() != Kind.END) throw p.error("'and', 'or' or end of rule");
    return rule;
  }

  private SegmentRule or() {
    SegmentRule left = and();
    while (peek().isWord("or")) {
      at++;
      left = new SegmentRule.Or(left, and());
    }
    return left;
  }

  private SegmentRule and() {
    SegmentRule left = unary();
    while (peek().isWord("and")) {
      at++;
      left = new SegmentRule.And(left, unary());
    }
    return left;
  }

  private SegmentRule unary() {
    if (peek().isWord("not")) {
      at++;
      return new SegmentRule.Not(unary());
    }
    return primary();
  }

  private SegmentRule primary() {
    Token t = peek();
    if (t.kind() == Kind.LPAREN) {
      at++;
      SegmentRule inner = or();
      expect(Kind.RPAREN, "')' closing the '(' at column " + t.column());
      return inner;
    }
    if (t.kind() != Kind.PATH || (t.segments().size() == 1 && KEYWORDS.contains(t.text()))) throw error(OPERAND);
    FactPath path = path(t);
    at++;
    Token next = peek();
    if (next.kind() == Kind.OP) {
      at++;
      return new SegmentRule.Compare(path, SegmentRule.Op.of(next.text()), literal());
    }
    if (next.isWord("in")) {
      at++;
      expect(Kind.LBRACKET, "'[' after 'in'");
      List<Object> values = new ArrayList<>();
      if (peek().kind() != Kind.RBRACKET) {
        values.add(literal());
        while (peek().kind() == Kind.COMMA) {
          at++;
          values.add(literal());
        }
      }
      expect(Kind.RBRACKET, "',' or ']'");
      return new SegmentRule.In(path, values);
    }
    return new SegmentRule.Truthy(path);
  }

  private static FactPath path(Token t) {
    String root = t.segments().get(0);
    if (!FactPath.ROOTS.contains(root))
      throw new SegmentRuleSyntaxException(t.column(), "a path root (" + String.join(", ", FactPath.ROOTS) + ")", "'" + root + "'");
    return new FactPath(root, t.segments().subList(1, t.segments().size()));
  }

  private Object literal() {
    Token t = peek();
    Object value = switch (t.kind()) {
      case NUMBER -> Double.valueOf(t.text());
      case STRING -> t.text();
      case PATH -> switch (t.text()) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        case "null" -> null;
        default -> throw error(LITERAL);
      };
      default -> throw error(LITERAL);
    };
    at++;
    return value;
  }

  private void expect(Kind kind, String expected) {
    if (peek().kind() != kind) throw error(expected);
    at++;
  }

  private Token peek() {
    return tokens.get(at);
  }

  private SegmentRuleSyntaxException error(String expected) {
    return new SegmentRuleSyntaxException(peek().column(), expected, peek().describe());
  }
}
