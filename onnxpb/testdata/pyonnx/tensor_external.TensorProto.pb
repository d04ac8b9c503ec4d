€€Bexternalj
locationweights.binj
offset4096j
length4194304j4
checksum(0123456789abcdef0123456789abcdef01234567p