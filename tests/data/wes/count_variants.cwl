#!/usr/bin/env cwl-runner
# Counts the variant records of a bgzipped VCF and notes the panel it was asked for: a stand-in for an
# imputation workflow that runs with `cwltool --no-container` (sh, gzip and grep only).
cwlVersion: v1.2
class: CommandLineTool
baseCommand: [sh, -c]
arguments:
  - 'gzip -dc "$0" > plain.vcf && grep -vc "^#" plain.vcf > variants.txt && echo "$1" > panel.txt'
  - $(inputs.vcf.path)
  - $(inputs.panel)
inputs:
  vcf: File
  panel: string
outputs:
  variants:
    type: File
    outputBinding: {glob: variants.txt}
  panel_used:
    type: File
    outputBinding: {glob: panel.txt}
