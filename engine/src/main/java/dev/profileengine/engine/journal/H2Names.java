package dev.profileengine.engine.journal;

/** Quoted SQL names of the plugin's tables and columns, as its H2 schema spells them (lower case, quoted). */
final class H2Names {
  private H2Names() {}

  static String quoted(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  static String table(scala.Option<String> schema, String table) {
    return schema.isDefined() ? quoted(schema.get()) + "." + quoted(table) : quoted(table);
  }
}
