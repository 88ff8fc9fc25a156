/*
 * trace_values.c: the values a trace shows (see trace_values.h).
 *
 * Memory is read with process_vm_readv on the process itself, which fails
 * with EFAULT instead of faulting: the address of an access that is about
 * to crash the run must not crash the tracer first. Values are written as
 * C would write them when DWARF gives the type; untyped ones by width:
 * small numbers in decimal, others in hex, a byte also as a character.
 * Nothing here prints an address that changes with the address layout
 * unless the value is one (a pointer outside the run's state and the
 * program's symbols), so the same run traces the same in every process.
 */
#include "schedulers/trace_values.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int jostle__trace_read(const void *addr, unsigned width, unsigned char *buf) {
  size_t n = width < JOSTLE__TRACE_BYTES ? width : JOSTLE__TRACE_BYTES;
  if (n == 0) return 0;
  struct iovec local = {buf, n}, remote = {(void *)(uintptr_t)addr, n};
  ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
  if (got == (ssize_t)n) return 0;
  /* A sandbox that refuses the call: read directly. A bad address then
   * faults here instead of in the access, one instruction later. */
  if (got < 0 && (errno == ENOSYS || errno == EPERM)) {
    memcpy(buf, addr, n);
    return 0;
  }
  return -1;
}

static uint64_t little_endian(const unsigned char *bytes, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = n; i-- > 0;) v = v << 8 | bytes[i];
  return v;
}

static int printable(unsigned char ch) { return ch >= 0x20 && ch < 0x7f; }

/* One character as it reads inside quotes q ('\'' or '"'). */
static int escaped(unsigned char ch, char q, char *buf, size_t size) {
  switch (ch) {
  case '\0': return snprintf(buf, size, "\\0");
  case '\n': return snprintf(buf, size, "\\n");
  case '\t': return snprintf(buf, size, "\\t");
  case '\\': return snprintf(buf, size, "\\\\");
  default: break;
  }
  if (ch == (unsigned char)q) return snprintf(buf, size, "\\%c", q);
  if (printable(ch)) return snprintf(buf, size, "%c", ch);
  return snprintf(buf, size, "\\x%02x", ch);
}

/* A pointer: NULL, named when it points into the run's state, else the
 * address (which may change with the address layout, as the value does). */
static void pointer(const jostle__control *c, const void *pc, uint64_t v, char *buf,
                    size_t size) {
  if (v == 0)
    snprintf(buf, size, "NULL");
  else if (v - (uintptr_t)c->run_state < c->run_state_size)
    jostle__trace_name_pointer(c, (const void *)(uintptr_t)v, pc, buf, size);
  else
    snprintf(buf, size, "0x%llx", (unsigned long long)v);
}

/* A value of 1, 2, 4 or 8 bytes. */
static void scalar(const jostle__control *c, const void *pc, const unsigned char *bytes,
                   unsigned width, jostle__value_type type, char *buf, size_t size) {
  uint64_t v = little_endian(bytes, width);
  unsigned shift = 64 - 8 * width;
  int64_t s = (int64_t)(v << shift) >> shift;
  if (type.size == width) {
    switch (type.kind) {
    case JOSTLE__VALUE_SIGNED: snprintf(buf, size, "%lld", (long long)s); return;
    case JOSTLE__VALUE_UNSIGNED: snprintf(buf, size, "%llu", (unsigned long long)v); return;
    case JOSTLE__VALUE_BOOL: snprintf(buf, size, "%s", v ? "true" : "false"); return;
    case JOSTLE__VALUE_POINTER: pointer(c, pc, v, buf, size); return;
    case JOSTLE__VALUE_CHAR:
      if (width == 1) {
        char ch[8];
        escaped((unsigned char)v, '\'', ch, sizeof ch);
        snprintf(buf, size, "'%s'", ch);
        return;
      }
      break;
    case JOSTLE__VALUE_FLOAT:
      if (width == sizeof(float)) {
        float f;
        memcpy(&f, bytes, sizeof f);
        snprintf(buf, size, "%g", (double)f);
        return;
      }
      if (width == sizeof(double)) {
        double d;
        memcpy(&d, bytes, sizeof d);
        snprintf(buf, size, "%g", d);
        return;
      }
      break;
    case JOSTLE__VALUE_UNKNOWN: break;
    }
  }
  if (width == 1 && printable((unsigned char)v))
    snprintf(buf, size, "%u '%c'", (unsigned)v, (char)v);
  else if (v <= 0xffff)
    snprintf(buf, size, "%llu", (unsigned long long)v);
  else if (s < 0 && s >= -0xffff)
    snprintf(buf, size, "%lld", (long long)s);
  else if (width == 8 && v - (uintptr_t)c->run_state < c->run_state_size)
    pointer(c, pc, v, buf, size);
  else
    snprintf(buf, size, "0x%llx", (unsigned long long)v);
}

/* Bytes as text up to the first NUL, when that is what they look like
 * (or are typed as); 0 when they are not text. */
static int text(const unsigned char *bytes, unsigned n, unsigned width, int typed, char *buf,
                size_t size) {
  unsigned end = 0;
  while (end < n && bytes[end] != '\0') end++;
  if (!typed) {
    if (end == 0) return 0;
    for (unsigned i = 0; i < end; i++)
      if (!printable(bytes[i])) return 0;
  }
  size_t len = (size_t)snprintf(buf, size, "\"");
  for (unsigned i = 0; i < end && len < size; i++)
    len += (size_t)escaped(bytes[i], '"', buf + len, size - len);
  if (len < size)
    snprintf(buf + len, size - len, "\"%s", end == n && width > n ? "..." : "");
  return 1;
}

void jostle__trace_format(const jostle__control *c, const void *pc, const unsigned char *bytes,
                          unsigned width, jostle__value_type type, char *buf, size_t size) {
  if (width == 1 || width == 2 || width == 4 || width == 8) {
    scalar(c, pc, bytes, width, type, buf, size);
    return;
  }
  unsigned n = width < JOSTLE__TRACE_BYTES ? width : JOSTLE__TRACE_BYTES;
  if (width == 16) {
    uint64_t lo = little_endian(bytes, 8), hi = little_endian(bytes + 8, 8);
    if (hi == 0) snprintf(buf, size, "0x%llx", (unsigned long long)lo);
    else snprintf(buf, size, "0x%llx%016llx", (unsigned long long)hi, (unsigned long long)lo);
    return;
  }
  if (text(bytes, n, width, type.kind == JOSTLE__VALUE_CHAR && type.size == 1, buf, size))
    return;
  size_t len = (size_t)snprintf(buf, size, "{");
  for (unsigned i = 0; i < n && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%02x", i ? " " : "", bytes[i]);
  if (len < size) snprintf(buf + len, size - len, "%s}", width > n ? " ..." : "");
}
