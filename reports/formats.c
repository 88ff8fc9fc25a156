/*
 * formats.c: the registry of report file formats (formats.h). The harness
 * reads it to make each format's command-line option (--NAME FILE for
 * stress and soak, and for `report` every format but the one it reads),
 * a soak's files (DIR/<soak_file>) and the writing of each file given.
 *
 * Adding a report format:
 *   1. reports/NAME.c: the writer (jostle__out_write_report in output.h
 *      writes a file whole, or not at all, around a function that prints
 *      the report) and its table, `const jostle__report_format
 *      jostle__format_NAME`, with designated initialisers: name, soak_file,
 *      help, write (read stays NULL unless it can be read back).
 *   2. Its declaration in formats.h and one line below, where its position
 *      is the order of the files written and of the options' checks. Keep
 *      the registry within JOSTLE__MAX_FORMATS.
 *   3. The help texts, which are written out: the output lines of stress's
 *      help (cli/stress.c, in the format's help words: check_cli
 *      checks them), soak's (cli/soak.c) and report's
 *      (cli/report.c); README's section on reports.
 *   4. Tests in tests/check_reports.c: what the file says and that it
 *      agrees with the JSON (tests/reports_agree.h).
 */
#include "reports/formats.h"

const jostle__report_format *const jostle__report_formats[] = {
    &jostle__format_json,
    &jostle__format_junit,
    &jostle__format_html,
    NULL,
};
