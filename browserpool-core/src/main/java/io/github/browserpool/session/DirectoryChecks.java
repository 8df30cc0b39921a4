package io.github.browserpool.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * What {@link DirectorySessionStore} asks of an existing directory: a directory of this process's user,
 * that this user may write and nobody else may. Nothing here changes a mode.
 */
final class DirectoryChecks {
  private DirectoryChecks() {}

  static void requireOwnPrivateDirectory(Path dir) throws IOException {
    String name = "SessionStore.directory(" + dir + ")";
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(name + ": " + dir + " exists and is not a directory; give a directory"
          + " for the session states (it is created if missing)");
    }
    Object ownerUid = Files.getAttribute(dir, "unix:uid");
    Integer myUid = effectiveUid();
    boolean mine = myUid != null ? myUid.equals(ownerUid)
        : Files.getOwner(dir).getName().equals(System.getProperty("user.name"));
    if (!mine) {
      throw new IllegalArgumentException(name + ": the directory belongs to another user (uid " + ownerUid
          + ", this process runs as " + (myUid != null ? "uid " + myUid : System.getProperty("user.name"))
          + "); session states hold credentials, so the store uses only a directory of its own user. Give a"
          + " directory of this user, or a path that does not exist yet (it is created with mode 0700)");
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
    if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IllegalArgumentException(name + ": the directory is writable by its group or by others (mode "
          + java.nio.file.attribute.PosixFilePermissions.toString(mode) + "), so another user could plant or"
          + " replace a session's state; run chmod 700 on it, or give a path that does not exist yet (it is"
          + " created with mode 0700)");
    }
    if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
      throw new IllegalArgumentException(name + ": this user cannot write in the directory (mode "
          + java.nio.file.attribute.PosixFilePermissions.toString(mode) + "); run chmod 700 on it");
    }
    if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"))) {
      LoggerFactory.getLogger(DirectorySessionStore.class).warn("[session store {}] the directory's mode is {}:"
          + " its group or others can list it (each state file is still 0600); chmod 700 keeps even the file"
          + " names private", dir, java.nio.file.attribute.PosixFilePermissions.toString(mode));
    }
  }

  /** This process's effective uid, from /proc/self/status; null where there is no such file. */
  static Integer effectiveUid() {
    Path status = Path.of("/proc/self/status");
    try {
      List<String> lines = Files.readAllLines(status);
      for (String line : lines) {
        if (line.startsWith("Uid:")) {
          return Integer.valueOf(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
