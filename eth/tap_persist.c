// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "eth/tap_persist.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(tap);

/* Open /sys/class/net/@name/@attr; the descriptor or -errno. */
static int sys_open(const char *name, const char *attr, int flags)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* One line of /sys/class/net/@name/@attr into @buf; 0 or -errno. */
static int sys_read(const char *name, const char *attr, char *buf, size_t len)
{
	int fd = sys_open(name, attr, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return fd;
	r = read(fd, buf, len - 1);
	if (r < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		return (int)r;
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int sys_write(const char *name, const char *attr, const char *val)
{
	int fd = sys_open(name, attr, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return fd;
	r = write(fd, val, strlen(val));
	if (r < 0)
		r = -errno;
	close(fd);
	return r < 0 ? (int)r : 0;
}

/* The tap's flags (IFF_*), or -ENOENT when @name is no tun/tap. */
static long tun_flags(const char *name)
{
	char buf[32];
	int ret = sys_read(name, "tun_flags", buf, sizeof(buf));

	return ret ? -ENOENT : strtol(buf, NULL, 16);
}

static long sys_long(const char *name, const char *attr)
{
	char buf[32];

	return sys_read(name, attr, buf, sizeof(buf)) ? -1 :
							strtol(buf, NULL, 10);
}

bool tap_persist_owned(const char *name)
{
	char alias[64];

	return tun_flags(name) >= 0 &&
	       !sys_read(name, "ifalias", alias, sizeof(alias)) &&
	       !strcmp(alias, TAP_PERSIST_ALIAS);
}

/*
 * Attach to tap @name (or create it) with @flags; returns the descriptor
 * or -errno (-EBUSY: a single-queue tap some process holds).
 */
static int tun_attach(const char *name, short flags)
{
	struct ifreq ifr = { 0 };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ifr.ifr_flags = flags;
	util_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static int set_owner(int fd, const struct tap_persist *t)
{
	if (ioctl(fd, TUNSETOWNER, (unsigned long)t->uid) < 0 ||
	    ioctl(fd, TUNSETGROUP, (unsigned long)t->gid) < 0)
		return -errno;
	return 0;
}

static void set_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	util_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (!ioctl(s, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
}

static short want_flags(const struct tap_persist *t)
{
	return IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
	       (t->queues > 1 ? IFF_MULTI_QUEUE : 0);
}

/* Make @t: marked before it is persistent, so no crash leaks it. */
static int create(const struct tap_persist *t)
{
	int fd = tun_attach(t->name, want_flags(t)), ret;

	if (fd < 0)
		return fd;
	ret = set_owner(fd, t);
	if (!ret)
		ret = sys_write(t->name, "ifalias", TAP_PERSIST_ALIAS);
	if (!ret && ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		ret = -errno;
	if (!ret)
		set_up(t->name);
	close(fd);
	if (!ret)
		VLOG_INFO("tap %s made: owner %ld, group %ld, %u queue%s",
			  t->name, t->uid, t->gid, t->queues,
			  t->queues > 1 ? "s" : "");
	return ret;
}

/* Owner and group of fabricd's tap @t as the policy has them. */
static int fix_owner(const struct tap_persist *t, long flags)
{
	int fd, ret;

	if (sys_long(t->name, "owner") == t->uid &&
	    sys_long(t->name, "group") == t->gid)
		return 0;
	fd = tun_attach(t->name, flags & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
					  IFF_MULTI_QUEUE));
	if (fd < 0)
		return fd;
	ret = set_owner(fd, t);
	close(fd);
	if (!ret)
		VLOG_INFO("tap %s: owner %ld, group %ld", t->name, t->uid,
			  t->gid);
	return ret;
}

int tap_persist_ensure(const struct tap_persist *t)
{
	long flags = tun_flags(t->name);
	int ret;

	if (flags < 0)
		return if_nametoindex(t->name) ? -EEXIST : create(t);
	if (!tap_persist_owned(t->name))
		return -EEXIST;
	if (!(flags & IFF_MULTI_QUEUE) != !(want_flags(t) & IFF_MULTI_QUEUE)) {
		ret = tap_persist_remove(t->name);
		return ret ? ret : create(t);
	}
	set_up(t->name);
	return fix_owner(t, flags);
}

/* Delete link @ifindex (RTM_DELLINK): a tap goes even while a VM holds it. */
static int del_link(int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = sizeof(req),
			.nlmsg_type = RTM_DELLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
	};
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int ret = 0;

	if (s < 0)
		return -errno;
	if (send(s, &req, sizeof(req), 0) < 0 ||
	    recv(s, &ack, sizeof(ack), 0) < 0)
		ret = -errno;
	else if (ack.nh.nlmsg_type == NLMSG_ERROR)
		ret = ack.err.error;
	close(s);
	return ret;
}

int tap_persist_remove(const char *name)
{
	int ifindex = if_nametoindex(name), ret;

	if (!ifindex || tun_flags(name) < 0)
		return -ENOENT;
	if (!tap_persist_owned(name))
		return -EPERM;
	ret = del_link(ifindex);
	if (ret)
		VLOG_WARN("tap %s: cannot remove it: %s", name, strerror(-ret));
	else
		VLOG_INFO("tap %s removed", name);
	return ret;
}

static bool kept(const char *name, const struct tap_persist *keep, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(keep[i].name, name))
			return true;
	return false;
}

int tap_persist_sweep(const struct tap_persist *keep, size_t n)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *de;
	int removed = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || kept(de->d_name, keep, n) ||
		    !tap_persist_owned(de->d_name))
			continue;
		if (!tap_persist_remove(de->d_name))
			removed++;
	}
	closedir(d);
	return removed;
}
