package dev.profileengine.bench.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the benchmark results CSVs of {@code load-tests/results/}: a header row naming the columns
 * (run, metric, value and unit required; date, build and command optional, in any order), then one
 * figure per row. Fields holding a comma or a quote are quoted, a quote inside doubled (RFC 4180).
 * Blank lines are skipped; anything else that is not a well-formed row is an error naming the file
 * and line, so a mistyped figure cannot reach a chart unnoticed.
 */
public final class ResultsCsv {
  public static final List<String> COLUMNS = List.of("run", "metric", "value", "unit", "date", "build", "command");
  private static final List<String> REQUIRED = COLUMNS.subList(0, 4);
  // Plain decimals only: "12,389" or "1e4" in a results file is more likely a slip than intended.
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

  private ResultsCsv() {}

  /** Every {@code *.csv} in {@code dir}, by file name without the extension, sorted. */
  public static Map<String, Results> readAll(Path dir) {
    Map<String, Results> all = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".csv")).toList()) {
        Results results = read(file);
        all.put(results.name(), results);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return all;
  }

  public static Results read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw new ResultsFormatException(file, 1, "no header row: expected " + String.join(",", COLUMNS));
    }
    List<String> header = fields(lines.get(0), file, 1);
    Map<String, Integer> column = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      String name = header.get(i).strip();
      if (!COLUMNS.contains(name)) {
        throw new ResultsFormatException(file, 1, "unknown column '" + name + "' (known: " + String.join(",", COLUMNS) + ")");
      }
      if (column.put(name, i) != null) throw new ResultsFormatException(file, 1, "column '" + name + "' twice");
    }
    for (String name : REQUIRED) {
      if (!column.containsKey(name)) throw new ResultsFormatException(file, 1, "header lacks the column '" + name + "'");
    }
    List<ResultRow> rows = new ArrayList<>();
    for (int n = 2; n <= lines.size(); n++) {
      String line = lines.get(n - 1);
      if (line.isBlank()) continue;
      List<String> f = fields(line, file, n);
      if (f.size() != header.size()) {
        throw new ResultsFormatException(file, n, f.size() + " fields, the header has " + header.size());
      }
      String run = required(f, column, "run", file, n);
      String metric = required(f, column, "metric", file, n);
      String value = required(f, column, "value", file, n);
      if (!NUMBER.matcher(value).matches()) {
        throw new ResultsFormatException(file, n, "value '" + value + "' of " + metric + " is not a plain number (e.g. 12389 or 0.53)");
      }
      String unit = required(f, column, "unit", file, n);
      rows.add(new ResultRow(run, metric, Double.parseDouble(value), unit,
          optional(f, column, "date"), optional(f, column, "build"), optional(f, column, "command")));
    }
    return new Results(file, rows);
  }

  /** The fields of one CSV line (RFC 4180 quoting; a line break inside a field is not supported). */
  static List<String> fields(String line, Path file, int lineNo) {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    while (true) {
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= line.length()) throw new ResultsFormatException(file, lineNo, "a quoted field is not closed");
          char c = line.charAt(i++);
          if (c != '"') {
            field.append(c);
          } else if (i < line.length() && line.charAt(i) == '"') {
            field.append('"');
            i++;
          } else {
            break;
          }
        }
        if (i < line.length() && line.charAt(i) != ',') {
          throw new ResultsFormatException(file, lineNo, "text after a closing quote at column " + (i + 1));
        }
      } else {
        while (i < line.length() && line.charAt(i) != ',') {
          char c = line.charAt(i++);
          if (c == '"') throw new ResultsFormatException(file, lineNo, "a quote inside an unquoted field at column " + i);
          field.append(c);
        }
      }
      out.add(field.toString());
      field.setLength(0);
      if (i >= line.length()) return out;
      i++; // the comma
    }
  }

  private static String required(List<String> f, Map<String, Integer> column, String name, Path file, int n) {
    String v = f.get(column.get(name)).strip();
    if (v.isEmpty()) throw new ResultsFormatException(file, n, "empty " + name);
    return v;
  }

  private static String optional(List<String> f, Map<String, Integer> column, String name) {
    Integer i = column.get(name);
    return i == null ? "" : f.get(i).strip();
  }
}
