package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Records the public API: every public and protected class, constructor, method and field of every
 * package a library module exports (read from the modules' {@code module-info.java}), one line each,
 * sorted, in {@code api/attest4j-api.txt}. The test fails when the recorded API and the code differ,
 * so an API change is always a deliberate, reviewed edit of that file. After an intended change:
 *
 * <pre>mvn -B -o -pl examples -am verify -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false -Dattest4j.api.update=true</pre>
 *
 * <p>The generated protobuf package ({@code org.attest4j.kms.proto}) is left out: its contract is
 * {@code kms_rpc.proto}, checked by {@code KmsRpcProtoTest}; so are packages named {@code
 * *.internal}, which are exported only for other attest4j modules. The test also refuses third-party types
 * in the recorded signatures (only {@code java.*}, {@code javax.*}, {@code org.attest4j.*} and
 * protobuf messages may appear).
 */
class PublicApiTest {
  private static final String PROTO_PACKAGE = "org.attest4j.kms.proto";
  /** The protobuf types that stand for "a message" in signatures (the generated messages are ours). */
  private static final java.util.Set<String> PROTOBUF_MESSAGE_TYPES =
      java.util.Set.of("com.google.protobuf.Message", "com.google.protobuf.MessageOrBuilder");
  private static final Pattern EXPORT = Pattern.compile("^\\s*exports\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern QUALIFIED = Pattern.compile("\\b((?:[a-z_][\\w]*\\.)+)[A-Z][\\w$]*");

  @Test
  void publicApiIsRecorded() throws Exception {
    Path root = repositoryRoot();
    List<String> api = new ArrayList<>();
    for (String pkg : exportedPackages(root)) {
      List<Class<?>> classes = classesOf(pkg);
      assertTrue(!classes.isEmpty(), "no classes of the exported package " + pkg
          + " on the test class path: make its module a dependency of examples");
      for (Class<?> c : classes) {
        describe(c, api);
      }
    }
    Collections.sort(api);
    assertTrue(api.size() > 500, "too few API lines: " + api.size());
    checkNoThirdPartyTypes(api);
    Path file = root.resolve("api/attest4j-api.txt");
    String actual = String.join("\n", api) + "\n";
    if (Boolean.getBoolean("attest4j.api.update")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(file)) {
      fail(file + " is missing; create it with -Dattest4j.api.update=true");
    }
    List<String> recorded = Files.readAllLines(file, StandardCharsets.UTF_8);
    TreeSet<String> added = new TreeSet<>(api);
    added.removeAll(recorded);
    TreeSet<String> removed = new TreeSet<>(recorded);
    removed.removeAll(api);
    assertEquals(
        "", diff(added, removed),
        "the public API differs from api/attest4j-api.txt; if the change is intended, regenerate the file with"
            + " -Dattest4j.api.update=true (see PublicApiTest) and commit it with the change");
  }

  private static String diff(TreeSet<String> added, TreeSet<String> removed) {
    StringBuilder b = new StringBuilder();
    removed.forEach(l -> b.append("- ").append(l).append('\n'));
    added.forEach(l -> b.append("+ ").append(l).append('\n'));
    return b.toString();
  }

  private static void checkNoThirdPartyTypes(List<String> api) {
    List<String> bad = new ArrayList<>();
    for (String line : api) {
      Matcher m = QUALIFIED.matcher(line);
      while (m.find()) {
        String name = m.group();
        if (!(name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("org.attest4j.")
            || PROTOBUF_MESSAGE_TYPES.contains(name))) {
          bad.add(name + "  in  " + line);
        }
      }
    }
    assertEquals(List.of(), bad, "third-party types in public signatures (only protobuf messages may appear)");
  }

  private static Path repositoryRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("core/src/main/java/module-info.java"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("run from inside the repository");
    }
    return p;
  }

  private static TreeSet<String> exportedPackages(Path root) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path m : (Iterable<Path>) modules::iterator) {
        Path info = m.resolve("src/main/java/module-info.java");
        if (!Files.exists(info) || m.getFileName().toString().equals("examples")) {
          continue;
        }
        Matcher e = EXPORT.matcher(Files.readString(info));
        while (e.find()) {
          if (!e.group(1).equals(PROTO_PACKAGE) && !e.group(1).endsWith(".internal")) {
            out.add(e.group(1));
          }
        }
      }
    }
    return out;
  }

  /** The top-level classes of {@code pkg} on the test class path (directories or jars). */
  private static List<Class<?>> classesOf(String pkg) throws IOException, URISyntaxException, ClassNotFoundException {
    String dir = pkg.replace('.', '/');
    TreeSet<String> names = new TreeSet<>();
    Enumeration<URL> urls = PublicApiTest.class.getClassLoader().getResources(dir);
    while (urls.hasMoreElements()) {
      URL u = urls.nextElement();
      if (u.getProtocol().equals("file")) {
        try (Stream<Path> files = Files.list(Path.of(u.toURI()))) {
          files.map(f -> f.getFileName().toString()).filter(PublicApiTest::isTopLevelClassFile)
              .forEach(f -> names.add(pkg + "." + f.substring(0, f.length() - 6)));
        }
      } else if (u.getProtocol().equals("jar")) {
        JarFile jar = ((JarURLConnection) u.openConnection()).getJarFile();
        for (JarEntry e : Collections.list(jar.entries())) {
          String n = e.getName();
          if (n.startsWith(dir + "/") && n.indexOf('/', dir.length() + 1) < 0
              && isTopLevelClassFile(n.substring(dir.length() + 1))) {
            names.add(n.substring(0, n.length() - 6).replace('/', '.'));
          }
        }
      }
    }
    List<Class<?>> out = new ArrayList<>();
    for (String n : names) {
      out.add(Class.forName(n, false, PublicApiTest.class.getClassLoader()));
    }
    return out;
  }

  private static boolean isTopLevelClassFile(String f) {
    return f.endsWith(".class") && !f.contains("$") && !f.equals("package-info.class") && !f.equals("module-info.class");
  }

  private static boolean visible(int mod) {
    return Modifier.isPublic(mod) || Modifier.isProtected(mod);
  }

  private static void describe(Class<?> c, List<String> out) {
    if (!visible(c.getModifiers()) || c.isSynthetic()) {
      return;
    }
    String name = c.getName();
    StringBuilder head = new StringBuilder(name).append(" : ").append(Modifier.toString(c.getModifiers()
        & ~(c.isInterface() ? Modifier.ABSTRACT : 0))).append(' ').append(kind(c));
    if (c.getGenericSuperclass() != null && c.getSuperclass() != Object.class && !c.isEnum() && !c.isRecord()) {
      head.append(" extends ").append(c.getGenericSuperclass().getTypeName());
    }
    if (c.getGenericInterfaces().length > 0) {
      head.append(c.isInterface() ? " extends " : " implements ");
      List<String> is = new ArrayList<>();
      for (var t : c.getGenericInterfaces()) {
        is.add(t.getTypeName());
      }
      head.append(String.join(", ", is));
    }
    out.add(head.toString());
    boolean enumOrRecord = c.isEnum() || c.isRecord();
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k.getModifiers()) && !k.isSynthetic() && !(c.isEnum())) {
        out.add(name + " : " + k.toGenericString());
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        out.add(name + " : " + m.toGenericString());
      }
    }
    for (Field f : c.getDeclaredFields()) {
      if (visible(f.getModifiers()) && !f.isSynthetic()) {
        out.add(name + " : " + f.toGenericString());
      }
    }
    for (Class<?> nested : c.getDeclaredClasses()) {
      describe(nested, out);
    }
    assertTrue(enumOrRecord || !c.isAnonymousClass(), name);
  }

  private static String kind(Class<?> c) {
    if (c.isAnnotation()) {
      return "@interface";
    }
    if (c.isInterface()) {
      return "interface";
    }
    if (c.isEnum()) {
      return "enum";
    }
    if (c.isRecord()) {
      return "record";
    }
    return "class";
  }
}
