package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's Java blocks are, in order, exactly the {@code // region NAME} ... {@code //
 * endregion} regions (indentation removed) of {@code it/src/it/common/readme/.../ReadmeSnippets.java},
 * the one copy of the snippet code. That file is compiled and run by {@code ReadmeSnippetsRunTest}
 * here (this module adds {@code it/src/it/common/readme} to its test sources) and by the consumer
 * projects in {@code it/src/it} against the installed artifacts, on the module path and the class
 * path. To change a README snippet, change it there and copy the region into the README.
 */
class ReadmeSnippetsTest {
  static final String SNIPPETS = "it/src/it/common/readme/org/example/consumer/ReadmeSnippets.java";

  @Test
  void readmeShowsExactlyTheseRegions() throws IOException {
    Path root = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."));
    if (!Files.exists(root.resolve("README.md"))) {
      root = Path.of("..");
    }
    List<String> blocks = javaBlocks(Files.readAllLines(root.resolve("README.md")));
    List<String> regions = regions(Files.readAllLines(root.resolve(SNIPPETS)));
    assertEquals(regions.size(), blocks.size(), "the README has " + blocks.size() + " java blocks, "
        + SNIPPETS + " " + regions.size() + " regions");
    for (int i = 0; i < regions.size(); i++) {
      assertEquals(regions.get(i), blocks.get(i), "README java block " + (i + 1) + " differs from region "
          + (i + 1) + " of " + SNIPPETS + "; copy the region into the README");
    }
    assertTrue(regions.size() >= 4, "regions found: " + regions.size());
  }

  /** The comparison fails on a one-character difference (the check above can fail). */
  @Test
  void aChangedLineIsADifference() {
    List<String> source = List.of("class X {", "  // region a", "  int x = 1;", "  // endregion", "}");
    List<String> readme = List.of("```java", "int x = 2;", "```");
    assertEquals(List.of("int x = 1;\n"), regions(source));
    assertEquals(List.of("int x = 2;\n"), javaBlocks(readme));
  }

  static List<String> javaBlocks(List<String> lines) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = null;
    for (String l : lines) {
      if (cur == null && l.strip().equals("```java")) {
        cur = new StringBuilder();
      } else if (cur != null && l.strip().equals("```")) {
        out.add(cur.toString());
        cur = null;
      } else if (cur != null) {
        cur.append(l.stripTrailing()).append('\n');
      }
    }
    return out;
  }

  static List<String> regions(List<String> lines) {
    List<String> out = new ArrayList<>();
    List<String> cur = null;
    for (String l : lines) {
      String s = l.strip();
      if (s.startsWith("// region ")) {
        cur = new ArrayList<>();
      } else if (s.equals("// endregion") && cur != null) {
        int indent = cur.stream().filter(x -> !x.isBlank())
            .mapToInt(x -> x.length() - x.stripLeading().length()).min().orElse(0);
        StringBuilder b = new StringBuilder();
        for (String x : cur) {
          b.append(x.isBlank() ? "" : x.substring(indent).stripTrailing()).append('\n');
        }
        out.add(b.toString());
        cur = null;
      } else if (cur != null) {
        cur.add(l);
      }
    }
    return out;
  }
}
