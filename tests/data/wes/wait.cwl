#!/usr/bin/env cwl-runner
# Runs until it is cancelled: a run to cancel while it is RUNNING.
cwlVersion: v1.2
class: CommandLineTool
baseCommand: [sleep, "3600"]
inputs:
  vcf: File
outputs: []
