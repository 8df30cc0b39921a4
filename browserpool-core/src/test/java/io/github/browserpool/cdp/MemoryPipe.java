package io.github.browserpool.cdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;

/** An in-memory one-way pipe whose ends may be used from any thread (unlike java.io.PipedInputStream). */
final class MemoryPipe {
  private byte[] data = new byte[1024];
  private int head;
  private int tail;
  private boolean writerClosed;
  private boolean readerClosed;

  final InputStream in =
      new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          synchronized (MemoryPipe.this) {
            while (head == tail && !writerClosed && !readerClosed) {
              try {
                MemoryPipe.this.wait();
              } catch (InterruptedException e) {
                throw new InterruptedIOException();
              }
            }
            if (readerClosed) {
              throw new IOException("pipe closed by its reader");
            }
            if (head == tail) {
              return -1;
            }
            int n = Math.min(len, tail - head);
            System.arraycopy(data, head, b, off, n);
            head += n;
            return n;
          }
        }

        @Override
        public void close() {
          closeReader();
        }
      };

  final OutputStream out =
      new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          synchronized (MemoryPipe.this) {
            if (writerClosed || readerClosed) {
              throw new IOException("pipe closed");
            }
            if (tail + len > data.length) {
              System.arraycopy(data, head, data, 0, tail - head);
              tail -= head;
              head = 0;
              if (tail + len > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, tail + len));
              }
            }
            System.arraycopy(b, off, data, tail, len);
            tail += len;
            MemoryPipe.this.notifyAll();
          }
        }

        @Override
        public void close() {
          closeWriter();
        }
      };

  /** The writer closes its end: the reader gets end-of-file once it has read everything. */
  synchronized void closeWriter() {
    writerClosed = true;
    notifyAll();
  }

  /** The reader closes its end: reads and writes fail from now on. */
  synchronized void closeReader() {
    readerClosed = true;
    notifyAll();
  }
}
