import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Lists what Java's ZipFile (central directory) and ZipInputStream (local
 * headers, streaming) see in each zip named on the command line: one JSON
 * line per archive and reader, {"archive", "reader", "error", "entries"}.
 * Java has no symlinks: an entry is a directory when isDirectory(), else a
 * file whose bytes are hashed. Test-only, for lamina's differential zip tests.
 */
public final class ZipRead {
  /** Bound on what one entry may yield, so a bomb cannot exhaust memory. */
  private static final long MAX_ENTRY_BYTES = 256L << 20;

  private ZipRead() {}

  public static void main(String[] args) throws Exception {
    StringBuilder out = new StringBuilder();
    for (String path : args) {
      out.append(zipFile(path)).append('\n');
      out.append(zipInputStream(path)).append('\n');
    }
    System.out.write(out.toString().getBytes(StandardCharsets.UTF_8));
    System.out.flush();
  }

  private static String zipFile(String path) {
    List<String> entries = new ArrayList<>();
    String error = null;
    try (ZipFile zf = new ZipFile(path)) {
      Enumeration<? extends ZipEntry> en = zf.entries();
      while (en.hasMoreElements()) {
        ZipEntry e = en.nextElement();
        String[] hashed;
        try (InputStream in = zf.getInputStream(e)) {
          hashed = hash(in);
        } catch (Exception ex) {
          hashed = new String[] {hash(InputStream.nullInputStream())[0], message(ex)};
        }
        entries.add(entry(e.getName(), e.isDirectory() ? "dir" : "file", hashed[0], hashed[1]));
      }
    } catch (Exception ex) {
      error = message(ex);
    }
    return result(path, "java-zipfile", error, entries);
  }

  private static String zipInputStream(String path) {
    List<String> entries = new ArrayList<>();
    String error = null;
    try (ZipInputStream zin =
        new ZipInputStream(new BufferedInputStream(new FileInputStream(path)))) {
      for (ZipEntry e = zin.getNextEntry(); e != null; e = zin.getNextEntry()) {
        String[] hashed = hash(zin);
        entries.add(entry(e.getName(), e.isDirectory() ? "dir" : "file", hashed[0], hashed[1]));
      }
    } catch (Exception ex) {
      error = message(ex);
    }
    return result(path, "java-zipinputstream", error, entries);
  }

  /** SHA-256 of what the stream yields (bounded), and the error that ended it, if any. */
  private static String[] hash(InputStream in) {
    MessageDigest md = digest();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    try {
      for (int n = in.read(buf); n > 0 && total < MAX_ENTRY_BYTES; n = in.read(buf)) {
        md.update(buf, 0, n);
        total += n;
      }
      return new String[] {HexFormat.of().formatHex(md.digest()), null};
    } catch (IOException | RuntimeException ex) {
      return new String[] {HexFormat.of().formatHex(md.digest()), message(ex)};
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static String message(Exception ex) {
    return ex.getClass().getSimpleName() + ": " + ex.getMessage();
  }

  private static String entry(String name, String kind, String sha, String error) {
    String hexName = HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8));
    return "{\"path\":\"" + hexName + "\",\"kind\":\"" + kind + "\",\"sha256\":\"" + sha + "\""
        + (error == null ? "" : ",\"error\":" + quote(error)) + "}";
  }

  private static String result(String path, String reader, String error, List<String> entries) {
    return "{\"archive\":" + quote(path) + ",\"reader\":\"" + reader + "\""
        + (error == null ? "" : ",\"error\":" + quote(error))
        + ",\"entries\":[" + String.join(",", entries) + "]}";
  }

  /** A JSON string literal: every character outside printable ASCII is \\u-escaped. */
  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
