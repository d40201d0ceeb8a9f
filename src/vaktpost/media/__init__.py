"""Media: hashing of original bytes, PDQ of images and sampled video frames, hash banks and the exact Hamming index."""
