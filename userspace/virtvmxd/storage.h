/* SPDX-License-Identifier: GPL-2.0 */
/* Directory storage pools (storage.c) and their volumes (volume.c). */
#ifndef VIRTVMXD_STORAGE_H
#define VIRTVMXD_STORAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "virtvmxd.h"

struct pool {
	struct pool *next;	/* (d) */
	char *name, *path;
	uint8_t uuid[16];
	bool active, autostart;
};

/* By name or UUID; (d) held. */
struct pool *pool_find(struct daemon *d, const char *name, const uint8_t *uuid);
/* remote_nonnull_storage_pool from the arguments: the pool with (d) held, or NULL. */
struct pool *pool_arg(struct call *c);
/* remote_nonnull_storage_vol: its pool with (d) held and *name, or NULL. */
struct pool *vol_arg(struct call *c, char **name);
/* The active pool whose directory holds path, and the file's name; (d) held. */
struct pool *pool_of_path(struct daemon *d, const char *path, const char **name);
/* A volume: a regular file in the directory, not hidden. */
bool is_image(const char *dir, const char *name, struct stat *st);
void put_vol(struct xdr *x, const struct pool *p, const char *name);

int vol_lookup_by_name(struct call *c);
int vol_lookup_by_path(struct call *c);
int vol_op(struct call *c);
int vol_create(struct call *c);

#endif
