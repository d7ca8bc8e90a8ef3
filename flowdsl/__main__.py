from flowdsl.cli.main import main

main()
