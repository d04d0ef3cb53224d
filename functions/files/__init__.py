"""The files domain: genotype files uploaded by researchers, validated before they are submitted."""

DOMAIN = "files"
