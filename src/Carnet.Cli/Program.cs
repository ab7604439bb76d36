return Carnet.Cli.CarnetApplication.Run(args, Console.Out, Console.Error);
