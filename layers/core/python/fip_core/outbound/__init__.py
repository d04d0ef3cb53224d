"""Every HTTP call the platform makes to an address someone registered (an imputation service's
`base_url`) goes through here: the host is resolved once, each address is checked against the
outbound policy, and the connection is opened to the very address that was checked.

`addresses` says which addresses are not globally routable, `policy` holds the settings and the
check, `client` is the small HTTP/1.1 client that applies the policy to every hop."""
