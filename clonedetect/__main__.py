from clonedetect.cli import main

main()
