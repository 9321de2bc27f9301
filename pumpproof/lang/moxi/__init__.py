"""The MoXI front end: a QF_LIA subset of MoXI 0.1 read into the same IR as `.pump` models (load.py dispatches here)."""
