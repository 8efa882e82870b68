// SPDX-License-Identifier: GPL-2.0
/*
 * An out-of-tree module for the VM tier: a write of a number N to
 * /proc/surfmod calls surfmod_poke() with a struct of the module's own
 * types (nowhere in vmlinux), whose members hold N, N * 2 and a name, so
 * that `p surfmod_poke v=%0->in->value` reads known values only through the
 * module's types: its BTF, or its DWARF when built without BTF.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>

struct surfmod_inner {
	long pad[3];
	long value;
	char name[12];
};

struct surfmod_outer {
	int tag;
	struct surfmod_inner *in;
	unsigned long twice;
};

noinline long surfmod_poke(struct surfmod_outer *o)
{
	/* something the compiler cannot drop, so the call stays */
	return READ_ONCE(o->in->value) + o->tag;
}
EXPORT_SYMBOL_GPL(surfmod_poke);

static ssize_t surfmod_write(struct file *f, const char __user *buf, size_t len, loff_t *pos)
{
	struct surfmod_inner in = { .name = "surfmod" };
	struct surfmod_outer out = { .tag = 7, .in = &in };
	long v;
	int ret = kstrtol_from_user(buf, len, 10, &v);

	if (ret)
		return ret;
	in.value = v;
	out.twice = (unsigned long)v * 2;
	surfmod_poke(&out);
	return (ssize_t)len;
}

static const struct proc_ops surfmod_ops = {
	.proc_write = surfmod_write,
};

static struct proc_dir_entry *entry;

static int __init surfmod_init(void)
{
	entry = proc_create("surfmod", 0200, NULL, &surfmod_ops);
	return entry ? 0 : -ENOMEM;
}

static void __exit surfmod_exit(void)
{
	proc_remove(entry);
}

module_init(surfmod_init);
module_exit(surfmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("surftrace's VM tier: a function with the module's own types");
