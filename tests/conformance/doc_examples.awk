# Extract the examples of a document, for tests/conformance/test_docs.sh.
#
#   awk -v fmt=md|man|help -v src=NAME -f doc_examples.awk FILE
#
# Prints one record per example:
#
#   @@ cmd SRC:LINE [#]     a command, as a shell would read it (continuation
#   TEXT...                 lines with their trailing backslash); "#" when its
#                           prompt was "# ", which a tool's output can also
#                           start with (the runner decides which it is)
#   @@ out                  only when the document shows what it prints:
#   TEXT...                 those lines
#   @@ end
#
#   @@ file NAME SRC:LINE   a code block that names its file in its first line
#   TEXT...                 ("/* NAME.c ...", "// NAME.c ...", "# NAME.mk ...")
#   @@ end
#
#   @@ bad SRC:LINE REASON  a code block that cannot be an example as written
#   @@ end
#
# What counts as an example:
#   md    ```console blocks: lines starting "# " or "$ " are commands, the
#         lines after them (up to the next command) their output.  ```sh
#         blocks: one command a line, output not shown.  ```c and ```make
#         blocks: files, named on their first line.  Other blocks (grammar,
#         layouts) are not examples.
#   man   the .EX/.EE blocks of the EXAMPLES section: one command a line, or a
#         file when the block starts with a C comment naming it.
#   help  the lines after "Examples:" up to a blank line.

function flush_cmd() {
	if (cmd == "")
		return
	printf "@@ cmd %s:%d%s\n%s\n", src, cmd_line, cmd_prompt == "#" ? " #" : "", cmd
	if (nout) {
		print "@@ out"
		for (i = 1; i <= nout; i++)
			print out[i]
	}
	print "@@ end"
	cmd = ""; nout = 0; cont = 0
}

# A command line; a trailing backslash continues it on the next line.
function add_cmd_line(text, line, prompt) {
	if (cont) {
		cmd = cmd "\n" text
	} else {
		flush_cmd()
		cmd = text; cmd_line = line; cmd_prompt = prompt
	}
	cont = text ~ /\\$/
}

function file_name(first,    m) {
	if (match(first, /^(\/\*|\/\/|#) *[A-Za-z0-9_.\/-]+\.(c|h|mk|java)([ :]|$)/)) {
		m = substr(first, RSTART, RLENGTH)
		sub(/^(\/\*|\/\/|#) */, "", m)
		sub(/[ :]$/, "", m)
		return m
	}
	return ""
}

function flush_file(    name, i) {
	if (!nfile)
		return
	name = file_name(file[1])
	if (name == "") {
		printf "@@ bad %s:%d a %s block that does not name its file on its first line\n@@ end\n",
			src, file_line, file_kind
	} else {
		printf "@@ file %s %s:%d\n", name, src, file_line
		for (i = 1; i <= nfile; i++)
			print file[i]
		print "@@ end"
	}
	nfile = 0
}

function unman(s) {
	gsub(/\\-/, "-", s)
	gsub(/\\\(aq/, "'", s)
	gsub(/\\\(dq/, "\"", s)
	gsub(/\\&/, "", s)
	gsub(/\\e/, "\\", s)
	return s
}

BEGIN { cmd = ""; nout = 0; nfile = 0; cont = 0; inblock = 0; section = "" }

fmt == "md" && /^```/ {
	if (!inblock) {
		inblock = 1; lang = substr($0, 4); sub(/[ \t].*/, "", lang)
		file_line = FNR + 1; file_kind = lang
		next
	}
	inblock = 0
	flush_cmd(); flush_file()
	next
}
fmt == "md" && inblock {
	if (lang == "console") {
		if (!cont && /^[#$] /)
			add_cmd_line(substr($0, 3), FNR, substr($0, 1, 1))
		else if (cont)
			add_cmd_line($0, FNR)
		else if (cmd != "")
			out[++nout] = $0
	} else if (lang == "sh" || lang == "shell" || lang == "bash") {
		if (cont || ($0 !~ /^[ \t]*(#|$)/))
			add_cmd_line($0, FNR)
	} else if (lang == "c" || lang == "make" || lang == "java") {
		file[++nfile] = $0
	}
	next
}

fmt == "man" && /^\.SH/ { section = $2; next }
fmt == "man" && section == "EXAMPLES" && /^\.EX/ { inblock = 1; file_line = FNR + 1; isfile = -1; next }
fmt == "man" && section == "EXAMPLES" && /^\.EE/ { inblock = 0; flush_cmd(); flush_file(); next }
fmt == "man" && inblock {
	line = unman($0)
	if (isfile < 0)
		isfile = line ~ /^(\/\*|\/\/|#include)/
	if (isfile) {
		file_kind = "C"; file[++nfile] = line
	} else if (cont || line !~ /^[ \t]*(#|$)/) {
		add_cmd_line(line, FNR)
	}
	next
}

fmt == "help" && /^Examples:/ { inblock = 1; next }
fmt == "help" && inblock && /^[ \t]*$/ { inblock = 0; flush_cmd(); next }
fmt == "help" && inblock {
	line = $0
	if (!cont)
		sub(/^[ \t]+/, "", line)
	add_cmd_line(line, FNR)
	next
}

END {
	if (inblock && fmt == "md")
		printf "@@ bad %s:%d a code block that is never closed\n@@ end\n", src, file_line
	flush_cmd(); flush_file()
}
