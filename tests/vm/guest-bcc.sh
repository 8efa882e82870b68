# Sourced by guest-tests.sh: the bcc lessons' --kprobe variants
# (examples/bcc/guest_kprobes.sh), when the lessons were packed into the image.
if [ "$(uname -m)" != x86_64 ]; then
	skip bcc_kprobe_lessons "the lessons' BPF objects are built on this x86_64 machine's vmlinux.h (another pt_regs)"
elif [ -f /surf/bcc/guest_kprobes.sh ]; then
	BCC_DIR=/surf/bcc
	. /surf/bcc/guest_kprobes.sh
else
	skip bcc_kprobe_lessons "the bcc lessons were not built (make bcc-examples)"
fi
