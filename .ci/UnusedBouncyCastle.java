import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.regex.*;
import java.util.zip.*;

/**
 * Lists the Bouncy Castle packages of a jar that no class in it can reach, and the Bouncy Castle
 * classes that a reachable class references but the jar lacks (a shade filter that went too far),
 * and exits 1 if there is either. Reachability: the closure of constant-pool references (class entries, descriptors, signatures) from every
 * class outside org.bouncycastle and from every "org.bouncycastle..." name in a non-class resource
 * (service files), where every dotted "org.bouncycastle..." string constant in a reached class
 * counts as a prefix of classes loaded by name (BouncyCastleProvider's algorithm tables build class
 * names at run time). Over-approximates what can run, so an excluded package is never needed.
 * examples/pom.xml's shade filters exclude the packages it lists; .ci/cli-smoke runs it.
 *
 * <pre>java .ci/UnusedBouncyCastle.java examples/target/attest4j.jar [--verbose]</pre>
 */
public class UnusedBouncyCastle {
  static final Pattern SLASHED = Pattern.compile("org/bouncycastle/[A-Za-z0-9_/$]+");
  static final Pattern DOTTED = Pattern.compile("org\\.bouncycastle\\.[A-Za-z0-9_.$]*");

  public static void main(String[] a) throws Exception {
    Map<String, Set<String>> refs = new HashMap<>();   // class -> slashed BC class names referenced
    Map<String, Set<String>> prefixes = new HashMap<>(); // class -> dotted BC strings (reflection)
    Set<String> all = new TreeSet<>();
    List<String> roots = new ArrayList<>();
    try (ZipFile z = new ZipFile(a[0])) {
      for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        String n = e.getName();
        byte[] b = z.getInputStream(e).readAllBytes();
        if (n.endsWith(".class") && !n.startsWith("META-INF/")) {
          String c = n.substring(0, n.length() - 6);
          all.add(c);
          Set<String> r = new HashSet<>(), p = new HashSet<>();
          for (String u : utf8s(b)) {
            Matcher m = SLASHED.matcher(u);
            while (m.find()) r.add(m.group());
            m = DOTTED.matcher(u);
            while (m.find()) p.add(m.group().replace('.', '/'));
          }
          refs.put(c, r);
          prefixes.put(c, p);
          if (!c.startsWith("org/bouncycastle/")) roots.add(c);
        } else if (!n.endsWith("/")) {
          String s = new String(b, StandardCharsets.ISO_8859_1);
          Matcher m = DOTTED.matcher(s);
          while (m.find()) roots.add(m.group().replace('.', '/'));
        }
      }
    }
    // closure; a referenced name that is not a class is a prefix (package or name start)
    Set<String> reached = new HashSet<>();
    Set<String> missing = new TreeSet<>(); // referenced from a reachable class, not in the jar
    Deque<String> todo = new ArrayDeque<>(roots);
    NavigableSet<String> sorted = new TreeSet<>(all);
    while (!todo.isEmpty()) {
      String c = todo.pop();
      if (all.contains(c)) {
        if (!reached.add(c)) continue;
        for (String r : refs.get(c)) {
          if (!all.contains(r) && sorted.subSet(r, true, r + Character.MAX_VALUE, true).isEmpty()) {
            missing.add(r + " (referenced by " + c + ")");
          }
          todo.push(r);
        }
        for (String p : prefixes.get(c)) {
          if (p.length() < "org/bouncycastle/x".length()) continue;
          for (String s : sorted.subSet(p, true, p + Character.MAX_VALUE, true)) todo.push(s);
        }
        // nested classes come with their outer class (and the other way round)
        int d = c.indexOf('$');
        if (d > 0) todo.push(c.substring(0, d));
      } else {
        for (String s : sorted.subSet(c, true, c + Character.MAX_VALUE, true)) todo.push(s);
      }
    }
    Map<String, int[]> pk = new TreeMap<>();
    for (String c : all) {
      if (!c.startsWith("org/bouncycastle/")) continue;
      String p = c.substring(0, c.lastIndexOf('/'));
      int[] x = pk.computeIfAbsent(p, k -> new int[2]);
      x[0]++;
      if (reached.contains(c)) x[1]++;
    }
    int unusedClasses = 0, total = 0, unusedPackages = 0;
    for (var e : pk.entrySet()) {
      total += e.getValue()[0];
      // org/bouncycastle itself holds only the LICENSE class, kept with the licence text
      if (e.getValue()[1] == 0 && !e.getKey().equals("org/bouncycastle")) {
        System.out.println("unused " + e.getKey() + " (" + e.getValue()[0] + " classes)");
        unusedPackages++;
        unusedClasses += e.getValue()[0];
      } else if (a.length > 1) {
        System.out.println("used " + e.getKey() + " (" + e.getValue()[1] + " of " + e.getValue()[0] + " classes reached)");
      }
    }
    System.out.println(
        "Bouncy Castle: " + total + " classes, " + unusedPackages + " packages (" + unusedClasses
            + " classes) that nothing reaches");
    for (String m : missing) {
      System.out.println("missing " + m);
    }
    System.out.println(missing.size() + " Bouncy Castle classes referenced by reachable classes are not in the jar");
    System.exit(unusedPackages == 0 && missing.isEmpty() ? 0 : 1);
  }

  static List<String> utf8s(byte[] b) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
    in.readInt(); in.readUnsignedShort(); in.readUnsignedShort();
    int n = in.readUnsignedShort();
    List<String> out = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1: out.add(in.readUTF()); break;
        case 3: case 4: in.readInt(); break;
        case 5: case 6: in.readLong(); i++; break;
        case 7: case 8: case 16: case 19: case 20: in.readUnsignedShort(); break;
        case 9: case 10: case 11: case 12: case 17: case 18: in.readInt(); break;
        case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
        default: throw new IOException("tag " + tag);
      }
    }
    return out;
  }
}
