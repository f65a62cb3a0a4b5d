console.log('prepare-data: not yet')
