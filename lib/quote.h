/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Quoting of untrusted bytes (LIST items, annotation values, paths) for
 * one-line messages: a newline or an ESC sequence from a container must not
 * reach a runtime's log or a terminal as such.  Internal (not installed).
 */
#ifndef BPFD_QUOTE_H
#define BPFD_QUOTE_H

#include <stddef.h>

/*
 * @s (@n bytes, NUL bytes included) as 'text': printable ASCII as is, a
 * backslash or quote preceded by a backslash, every other byte as \xNN.
 * Cut with "..." before the closing quote when @len is too small.
 * Returns @buf (always NUL-terminated when @len > 0).
 */
char *bpfd_quote_mem(char *buf, size_t len, const char *s, size_t n);

/* bpfd_quote_mem() of the string @s (NULL gives ''). */
char *bpfd_quote(char *buf, size_t len, const char *s);

/*
 * Copy the line @s into @buf with every byte outside printable ASCII as
 * \xNN (backslashes untouched: quoted values are already escaped), cut to
 * fit.  For whole messages that may carry untrusted text.  Returns @buf.
 */
char *bpfd_escape_line(char *buf, size_t len, const char *s);

#endif
