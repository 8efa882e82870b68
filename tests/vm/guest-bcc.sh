# Sourced by guest-tests.sh: the bcc lessons' --kprobe variants
# (examples/bcc/guest_kprobes.sh), when the lessons were packed into the image.
if [ -f /surf/bcc/guest_kprobes.sh ]; then
	BCC_DIR=/surf/bcc
	. /surf/bcc/guest_kprobes.sh
else
	skip bcc_kprobe_lessons "the bcc lessons were not built (make bcc-examples)"
fi
